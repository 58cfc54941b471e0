using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Tocsin.Alerts;
using Tocsin.Analysis;
using Tocsin.Decode;

namespace Tocsin.Cli.Output;

/// <summary>The closing report of an analysis: traffic, alerts by type, problems met, speed.</summary>
public static class SummaryWriter
{
    public static void WriteText(IAnsiConsole console, AnalysisSummary s)
    {
        var grid = new Grid().AddColumn().AddColumn();
        void Row(string label, string value) => grid.AddRow(Markup.Escape(label), Markup.Escape(value));
        Row("Packets", $"{N(s.Packets)} ({Checks.Units.Bytes(s.Bytes)}), {N(s.IpPackets)} IP, {N(s.FlowPackets)} in flows");
        if (s.Packets > 0)
            Row("Capture time", $"{AlertWriter.FormatTime(s.FirstPacketNs / 1_000_000_000)} → {AlertWriter.FormatTime(s.LastPacketNs / 1_000_000_000)} UTC");
        Row("Flows", N(s.Flows) + (s.FlowsRefused > 0 ? $" ({N(s.FlowsRefused)} refused: flow table full)" : ""));
        Row("Hosts", N(s.Hosts) + (s.HostsRefused > 0 ? $" ({N(s.HostsRefused)} refused: host table full)" : ""));
        var nonIp = Counted<NonIpKind>(s.Decode.NonIp).ToList();
        if (nonIp.Count > 0)
            Row("Non-IP frames", string.Join(", ", nonIp.Select(x => $"{x.Kind} {N(x.Count)}")));
        if (s.Decode.Fragments > 0)
            Row("IP fragments", $"{N(s.Decode.Fragments)}, {N(s.Decode.LaterFragments)} of them later fragments");
        var tags = Tags(s.Decode).Where(t => t.Count > 0).ToList();
        if (tags.Count > 0)
            Row("Tagged frames", string.Join(", ", tags.Select(t => $"{t.Label} {N(t.Count)}")));
        var tunnels = Counted<TunnelKind>(s.Decode.Tunnels).ToList();
        if (tunnels.Count > 0)
            Row("Tunnels stripped", string.Join(", ", tunnels.Select(t => $"{t.Kind} {N(t.Count)}")));
        if (s.Decode.LaterFragments > 0 || s.UnattributedPackets > 0)
            Row("Not in a flow", $"{N(s.UnattributedPackets)} packets ({N(s.Decode.LaterFragments)} later IP fragments)");
        var malformed = s.Decode.MalformedReasons().ToList();
        Row("Malformed packets", malformed.Count == 0 ? "0" : string.Join(", ", malformed.Select(m => $"{m.Key} {N(m.Value)}")));
        foreach (var e in s.CaptureErrors)
            Row("Capture error", e.ToString());
        Row("Alerts", N(s.Alerts.Sum(a => a.Count)) + " events" + (s.EngagedAtEnd.Count > 0 ? $", {s.EngagedAtEnd.Count} still engaged at the end of the capture" : ""));
        Row("Elapsed", $"{Seconds(s.Elapsed)} s, {N((long)s.PacketsPerSecond)} packets/s" +
            (s.StoreDrain > TimeSpan.Zero ? $", then {Seconds(s.StoreDrain)} s storing the last alerts" : ""));
        if (s.Workers > 1)
            Row("Workers", $"{s.Workers}, flows each: {string.Join(" / ", s.FlowsPerWorker.Select(N))}");
        console.Write(new Rule("Summary").LeftJustified());
        console.Write(grid);

        if (s.Alerts.Count > 0)
        {
            var table = new Table { Border = TableBorder.Simple, Title = new TableTitle("Alerts by type") };
            table.AddColumn("Alert");
            table.AddColumn("Entity");
            table.AddColumn(new TableColumn("Engaged").RightAligned());
            table.AddColumn(new TableColumn("Released").RightAligned());
            table.AddColumn(new TableColumn("Stored").RightAligned());
            foreach (var group in s.Alerts.GroupBy(a => a.Type))
            {
                long Count(AlertAction action) => group.Where(g => g.Action == action).Sum(g => g.Count);
                table.AddRow(
                    Markup.Escape($"{group.Key.Name} ({group.Key.Id})"),
                    Markup.Escape(group.Key.Space.ToString().ToLowerInvariant()),
                    N(Count(AlertAction.Engage)), N(Count(AlertAction.Release)), N(Count(AlertAction.Store)));
            }
            console.Write(table);
        }
    }

    public static void WriteJson(Utf8JsonWriter w, AnalysisSummary s)
    {
        w.WriteStartObject();
        w.WriteNumber("packets", s.Packets);
        w.WriteNumber("bytes", s.Bytes);
        w.WriteNumber("ip_packets", s.IpPackets);
        w.WriteNumber("flow_packets", s.FlowPackets);
        w.WriteNumber("unattributed_packets", s.UnattributedPackets);
        w.WriteNumber("fragments", s.Decode.Fragments);
        w.WriteNumber("later_fragments", s.Decode.LaterFragments);
        w.WriteNumber("flows", s.Flows);
        w.WriteNumber("flows_refused", s.FlowsRefused);
        w.WriteNumber("hosts", s.Hosts);
        w.WriteNumber("hosts_refused", s.HostsRefused);
        w.WriteNumber("first_packet", s.FirstPacketNs / 1_000_000_000);
        w.WriteNumber("last_packet", s.LastPacketNs / 1_000_000_000);
        w.WriteStartObject("non_ip");
        foreach (var (kind, count) in Counted<NonIpKind>(s.Decode.NonIp))
            w.WriteNumber(kind.ToString().ToLowerInvariant(), count);
        w.WriteEndObject();
        foreach (var (_, key, count) in Tags(s.Decode))
            w.WriteNumber(key, count);
        w.WriteStartObject("tunnels");
        foreach (var (kind, count) in Counted<TunnelKind>(s.Decode.Tunnels))
            w.WriteNumber(kind.ToString().ToLowerInvariant(), count);
        w.WriteEndObject();
        w.WriteStartObject("malformed");
        foreach (var (reason, count) in s.Decode.MalformedReasons())
            w.WriteNumber(reason.ToString(), count);
        w.WriteEndObject();
        w.WriteStartArray("alerts_by_type");
        foreach (var (type, action, count) in s.Alerts)
        {
            w.WriteStartObject();
            w.WriteNumber("alert_id", type.Id);
            w.WriteString("alert_name", type.Name);
            w.WriteString("action", action.Name());
            w.WriteNumber("count", count);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteNumber("engaged_at_end", s.EngagedAtEnd.Count);
        w.WriteStartArray("capture_errors");
        foreach (var e in s.CaptureErrors)
        {
            w.WriteStartObject();
            w.WriteString("file", e.Path);
            w.WriteNumber("offset", e.Offset);
            w.WriteString("reason", e.Reason);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteNumber("elapsed_seconds", Math.Round(s.Elapsed.TotalSeconds, 3));
        w.WriteNumber("packets_per_second", Math.Round(s.PacketsPerSecond));
        w.WriteNumber("store_drain_seconds", Math.Round(s.StoreDrain.TotalSeconds, 3));
        w.WriteNumber("workers", s.Workers);
        w.WriteStartArray("flows_per_worker");
        foreach (var flows in s.FlowsPerWorker)
            w.WriteNumberValue(flows);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>Frames with VLAN tags (outer link), MPLS labels or a PPPoE header (also inside tunnels), as text and JSON name them.</summary>
    private static (string Label, string Key, long Count)[] Tags(DecodeStats stats) =>
        [("VLAN-tagged", "vlan_tagged", stats.VlanTagged), ("MPLS", "mpls", stats.Mpls), ("PPPoE", "pppoe", stats.Pppoe)];

    /// <summary>The kinds counted at least once, in enum order; the zero kind (None) is not one.</summary>
    private static IEnumerable<(T Kind, long Count)> Counted<T>(Func<T, long> count) where T : struct, Enum =>
        Enum.GetValues<T>().Where(k => !k.Equals(default(T)) && count(k) > 0).Select(k => (k, count(k)));

    private static string N(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture);
}
