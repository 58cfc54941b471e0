using System.Globalization;
using System.Text;
using Tocsin.Alerts;

namespace Tocsin.Notifications;

/// <summary>
/// The one-line text of an alert that plain-text endpoints share:
/// <c>[tstamp][Severity][Type][Entity][entity value][Action] message</c>, with the time in ISO 8601 UTC, the action
/// omitted for stored alerts, and every value escaped so it stays on one line. It carries the fields of ntopng's
/// plaintext (spec §3.8) but not its layout: ntopng's also names the interface, which the notification JSON lacks.
/// </summary>
public static class AlertText
{
    public static string Line(Notification n)
    {
        var f = n.Fields;
        var sb = new StringBuilder(128 + f.Message.Length);
        sb.Append('[').Append(Timestamp(f.EventTime)).Append(']');
        sb.Append('[').Append(Capitalized(f.Severity.Name())).Append(']');
        sb.Append('[').Append(TextEscape.SingleLine(n.Title)).Append(']');
        sb.Append('[').Append(EntityLabel(f.Entity)).Append(']');
        sb.Append('[').Append(TextEscape.SingleLine(EntityValue(f))).Append(']');
        if (ActionLabel(f.Action) is { } action)
            sb.Append('[').Append(action).Append(']');
        sb.Append(' ').Append(TextEscape.SingleLine(f.Message));
        return sb.ToString();
    }

    /// <summary>ISO 8601 UTC to the second, the date format of ntopng's formatMessage with its timezone option.</summary>
    public static string Timestamp(long epochSeconds) =>
        DateTimeOffset.FromUnixTimeSeconds(epochSeconds).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string EntityLabel(AlertEntity entity) => entity switch
    {
        AlertEntity.Mac => "MAC",
        _ => Capitalized(entity.Name()),
    };

    /// <summary>The entity value; for a flow (whose entity_val is just "flow") its endpoints, "client:port -> server:port".</summary>
    public static string EntityValue(AlertFields f) =>
        f.IsFlow && f.CliIp is not null && f.SrvIp is not null
            ? $"{HostPort(f.CliIp, f.CliPort)} -> {HostPort(f.SrvIp, f.SrvPort)}"
            : f.EntityValue;

    /// <summary>"Engaged", "Released", or null for stored alerts.</summary>
    public static string? ActionLabel(string action) => action switch
    {
        "engage" => "Engaged",
        "release" => "Released",
        _ => null,
    };

    public static string Capitalized(string word) => word.Length == 0 ? word : char.ToUpperInvariant(word[0]) + word[1..];

    private static string HostPort(string ip, int port) =>
        (ip.Contains(':') ? $"[{ip}]" : ip) + ":" + port.ToString(CultureInfo.InvariantCulture);
}
