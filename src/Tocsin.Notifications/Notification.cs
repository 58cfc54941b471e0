using System.Text.Json;
using Tocsin.Alerts;

namespace Tocsin.Notifications;

/// <summary>
/// One alert waiting in (or taken from) a recipient's queue: its ntopng notification JSON as it was published, plus
/// the type's title. <see cref="Fields"/> reads back what formatters need.
/// </summary>
public sealed class Notification(long seq, string title, string json)
{
    private AlertFields? fields;

    /// <summary>Queue position: increasing, never reused; order within a recipient.</summary>
    public long Seq { get; } = seq;

    /// <summary>The alert type's English title ("TCP SYN Scan").</summary>
    public string Title { get; } = title;

    /// <summary>The alert as ntopng's notification JSON (<see cref="AlertJson"/>).</summary>
    public string Json { get; } = json;

    public AlertFields Fields => fields ??= AlertFields.Parse(Json);

    public static Notification FromAlert(Alert alert, long seq = 0) =>
        new(seq, alert.Type.Title, AlertJson.ToJson(alert));
}

/// <summary>The fields of a notification JSON that formatters use.</summary>
public sealed record AlertFields
{
    public int AlertId { get; init; }
    public string AlertName { get; init; } = "";
    public AlertEntity Entity { get; init; }
    public string EntityValue { get; init; } = "";
    public string Action { get; init; } = "";
    public int Score { get; init; }
    public Severity Severity => Scores.ToSeverity(Score);
    public int Category { get; init; }
    public long Tstamp { get; init; }
    public long TstampEnd { get; init; }
    public int InterfaceId { get; init; }
    public string Subtype { get; init; } = "";
    public int Granularity { get; init; }
    public string Message { get; init; } = "";

    public string? CliIp { get; init; }
    public int CliPort { get; init; }
    public string? SrvIp { get; init; }
    public int SrvPort { get; init; }
    public int Proto { get; init; }
    public int VlanId { get; init; }
    public string? L7Name { get; init; }

    /// <summary>The host of a host alert.</summary>
    public string? Ip { get; init; }
    public bool IsAttacker { get; init; }
    public bool IsVictim { get; init; }

    /// <summary>When it happened: the release or detection time when set, else the start (ntopng's "tstamp_end or tstamp").</summary>
    public long EventTime => TstampEnd != 0 ? TstampEnd : Tstamp;

    public bool IsFlow => Entity == AlertEntity.Flow;

    public static AlertFields Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var r = doc.RootElement;
        return new AlertFields
        {
            AlertId = Int(r, "alert_id"),
            AlertName = Text(r, "alert_name") ?? "",
            Entity = (AlertEntity)Int(r, "entity_id"),
            EntityValue = Text(r, "entity_val") ?? "",
            Action = Text(r, "action") ?? "",
            Score = Int(r, "score"),
            Category = Int(r, "alert_category"),
            Tstamp = Long(r, "tstamp"),
            TstampEnd = Long(r, "tstamp_end"),
            InterfaceId = Int(r, "ifid"),
            Subtype = Text(r, "subtype") ?? "",
            Granularity = Int(r, "granularity"),
            Message = Text(r, "message") ?? "",
            CliIp = Text(r, "cli_ip"),
            CliPort = Int(r, "cli_port"),
            SrvIp = Text(r, "srv_ip"),
            SrvPort = Int(r, "srv_port"),
            Proto = Int(r, "proto"),
            VlanId = Int(r, "vlan_id"),
            L7Name = Text(r, "proto.ndpi"),
            Ip = Text(r, "ip"),
            IsAttacker = Bool(r, "is_attacker"),
            IsVictim = Bool(r, "is_victim"),
        };
    }

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static long Long(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n : 0;

    private static int Int(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) ? n : 0;

    private static bool Bool(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;
}
