using System.Text.Encodings.Web;
using System.Text.Json;

namespace Tocsin.Alerts;

/// <summary>
/// Writes an alert as ntopng's notification JSON (spec §1.10: the flow shape (A), the host shape (B), the
/// other-entity shape (C/D)) so that consumers written for ntopng keep working, plus Tocsin's own keys
/// (alert_name, severity_name, message). The type parameters go in "json" as a string, as ntopng sends them.
/// </summary>
public static class AlertJson
{
    /// <summary>Plain escaping (quotes as \", non-ASCII kept): the output goes to programs, never into HTML.</summary>
    public static JsonWriterOptions WriterOptions { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly JsonSerializerOptions ParamsOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Write(Utf8JsonWriter w, Alert a)
    {
        w.WriteStartObject();
        w.WriteNumber("ifid", a.InterfaceId);
        w.WriteString("action", a.Action.Name());
        w.WriteNumber("alert_id", a.Type.Id);
        w.WriteString("alert_name", a.Type.Name);
        w.WriteNumber("alert_category", (int)a.Category);
        w.WriteNumber("score", a.Score);
        w.WriteNumber("severity", (int)a.Severity);
        w.WriteString("severity_name", a.Severity.Name());
        w.WriteNumber("entity_id", (int)a.Entity);
        w.WriteString("entity_val", a.EntityValue);
        w.WriteString("subtype", a.Subtype);
        w.WriteNumber("granularity", a.Granularity);
        w.WriteNumber("tstamp", a.Tstamp);
        w.WriteNumber("tstamp_end", a.TstampEnd);
        w.WriteBoolean("acknowledged", a.Acknowledged);
        if (a.Flow is { } f)
            WriteFlow(w, f);
        if (a.Host is { } h)
            WriteHost(w, h);
        w.WriteString("json", a.Params.ToJsonString(ParamsOptions));
        w.WriteString("message", a.Message);
        w.WriteEndObject();
    }

    private static void WriteFlow(Utf8JsonWriter w, FlowAlertInfo f)
    {
        w.WriteBoolean("is_flow_alert", true);
        w.WriteNumber("first_seen", f.FirstSeen);
        w.WriteNumber("vlan_id", f.VlanId);
        w.WriteNumber("proto", f.Proto);
        w.WriteNumber("ip_version", f.IpVersion);
        w.WriteString("cli_ip", f.CliIp);
        w.WriteNumber("cli_port", f.CliPort);
        w.WriteBoolean("cli_localhost", f.CliIsLocal);
        w.WriteString("srv_ip", f.SrvIp);
        w.WriteNumber("srv_port", f.SrvPort);
        w.WriteBoolean("srv_localhost", f.SrvIsLocal);
        w.WriteBoolean("is_cli_attacker", f.IsCliAttacker);
        w.WriteBoolean("is_cli_victim", f.IsCliVictim);
        w.WriteBoolean("is_srv_attacker", f.IsSrvAttacker);
        w.WriteBoolean("is_srv_victim", f.IsSrvVictim);
        w.WriteNumber("cli2srv_bytes", f.Cli2SrvBytes);
        w.WriteNumber("cli2srv_packets", f.Cli2SrvPackets);
        w.WriteNumber("srv2cli_bytes", f.Srv2CliBytes);
        w.WriteNumber("srv2cli_packets", f.Srv2CliPackets);
        w.WriteNumber("flow_score", f.FlowScore);
        w.WriteNumber("l7_proto", f.L7Proto);
        w.WriteNumber("l7_master_proto", f.L7MasterProto);
        w.WriteNumber("l7_cat", f.L7Category);
        w.WriteString("proto.ndpi", f.L7Name);
        if (f.HostName.Length > 0)
            w.WriteString("host_name", f.HostName);
        if (f.RiskBitmap != 0)
        {
            w.WriteNumber("flow_risk_bitmap", f.RiskBitmap);
            w.WriteStartArray("flow_risks");
            foreach (var risk in f.Risks)
                w.WriteStringValue(risk);
            w.WriteEndArray();
        }
        w.WriteString("info", f.Info);
    }

    private static void WriteHost(Utf8JsonWriter w, HostAlertInfo h)
    {
        w.WriteString("ip", h.Ip);
        w.WriteNumber("vlan_id", h.VlanId);
        w.WriteNumber("ip_version", h.IpVersion);
        w.WriteString("name", h.Name);
        w.WriteBoolean("localhost", h.IsLocal);
        w.WriteBoolean("is_attacker", h.IsAttacker);
        w.WriteBoolean("is_victim", h.IsVictim);
        w.WriteBoolean("is_client", h.IsClient);
        w.WriteBoolean("is_server", h.IsServer);
        if (h.Network.Length > 0)
            w.WriteString("network", h.Network);
    }

    public static string ToJson(Alert a)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
            Write(w, a);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
