using System.Globalization;
using System.Text;
using System.Text.Json;
using Spectre.Console;
using Tocsin.Alerts;

namespace Tocsin.Cli.Output;

public enum OutputFormat
{
    Table,
    Json,
    Ndjson,
}

/// <summary>Renders alerts for the terminal (a table) or for programs (JSON, one object per line for ndjson).</summary>
public static class AlertWriter
{
    /// <summary>
    /// Alerts in the order they happened (engage and store at their time, release at its end), so that the output
    /// does not depend on which worker raised what first. Within a second, as the engine raises them: flow events
    /// (during the packets), then engages, then releases (at the tick); then by type and entity.
    /// </summary>
    public static IReadOnlyList<Alert> InEventOrder(IEnumerable<Alert> alerts) =>
        [.. alerts.OrderBy(a => a.Action == AlertAction.Release ? a.TstampEnd : a.Tstamp)
            .ThenBy(a => a.Action switch { AlertAction.Store => 0, AlertAction.Engage => 1, _ => 2 })
            .ThenBy(a => a.Type.Space).ThenBy(a => a.Type.Id)
            .ThenBy(a => a.EntityValue, StringComparer.Ordinal)
            .ThenBy(a => a.Flow is { } f ? $"{f.CliIp}:{f.CliPort} {f.SrvIp}:{f.SrvPort} {f.Proto} {f.VlanId}" : "", StringComparer.Ordinal)];

    /// <summary>One alert per line.</summary>
    public static void WriteNdjson(JsonOutput lines, Alert alert) => lines.Write(alert, AlertJson.Write);

    public static void WriteJsonArray(Utf8JsonWriter w, IEnumerable<Alert> alerts)
    {
        w.WriteStartArray();
        foreach (var a in alerts)
            AlertJson.Write(w, a);
        w.WriteEndArray();
    }

    public static void WriteTable(IAnsiConsole console, IReadOnlyList<Alert> alerts, string title)
    {
        if (alerts.Count == 0)
        {
            console.WriteLine("No alerts.");
            return;
        }
        var table = new Table { Title = new TableTitle(Markup.Escape(title)), Border = TableBorder.Simple };
        table.AddColumn("Time (UTC)");
        table.AddColumn("Action");
        table.AddColumn("Severity");
        table.AddColumn("Alert");
        table.AddColumn("Entity");
        table.AddColumn(new TableColumn("Score").RightAligned());
        table.AddColumn("Description");
        foreach (var a in alerts)
        {
            table.AddRow(
                Markup.Escape(Time(a)),
                Markup.Escape(a.Action.Name()),
                SeverityMarkup(a.Severity),
                Markup.Escape($"{a.Type.Name} ({a.Type.Id})"),
                Markup.Escape(Entity(a)),
                a.Score.ToString(CultureInfo.InvariantCulture),
                Markup.Escape(a.Message));
        }
        console.Write(table);
    }

    /// <summary>Engage time, or the span of a released alert.</summary>
    public static string Time(Alert a)
    {
        var start = FormatTime(a.Tstamp);
        return a.Action == AlertAction.Release && a.TstampEnd != a.Tstamp ? $"{start} → {FormatTime(a.TstampEnd)[11..]}" : start;
    }

    public static string FormatTime(long epochSeconds) =>
        DateTimeOffset.FromUnixTimeSeconds(epochSeconds).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>What the alert is about: the flow's ends, or the entity value.</summary>
    public static string Entity(Alert a)
    {
        if (a.Flow is { } f)
        {
            var sb = new StringBuilder();
            sb.Append(ProtoName(f.Proto)).Append(' ').Append(Endpoint(f.CliIp, f.CliPort)).Append(" → ").Append(Endpoint(f.SrvIp, f.SrvPort));
            if (f.VlanId != 0)
                sb.Append(" vlan ").Append(f.VlanId);
            if (f.L7Name.Length > 0)
                sb.Append(" [").Append(f.L7Name).Append(']');
            if (f.HostName.Length > 0)
                sb.Append(' ').Append(f.HostName);
            return sb.ToString();
        }
        return $"{a.Entity.Name()} {a.EntityValue}" + (a.Granularity > 0 && a.Entity != AlertEntity.Host ? $" ({GranularityName(a.Granularity)})" : "");
    }

    private static string GranularityName(int seconds) => seconds switch
    {
        60 => "min",
        300 => "5min",
        3600 => "hour",
        86400 => "day",
        _ => seconds + "s",
    };

    private static string Endpoint(string ip, int port) => ip.Contains(':') ? $"[{ip}]:{port}" : $"{ip}:{port}";

    private static string ProtoName(int proto) => proto switch
    {
        6 => "TCP",
        17 => "UDP",
        1 => "ICMP",
        58 => "ICMPv6",
        _ => "proto " + proto.ToString(CultureInfo.InvariantCulture),
    };

    private static string SeverityMarkup(Severity s) => s switch
    {
        >= Severity.Critical => $"[red bold]{s.Name()}[/]",
        Severity.Error => $"[red]{s.Name()}[/]",
        Severity.Warning => $"[yellow]{s.Name()}[/]",
        _ => s.Name(),
    };
}
