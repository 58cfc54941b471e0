using System.Text.Json.Nodes;
using Tocsin.Alerts;

namespace Tocsin.Notifications;

/// <summary>The alerts the notification system raises about itself, with ntopng's ids (spec/other_alerts.csv).</summary>
public static class SystemAlerts
{
    /// <summary>ntopng's alert_dropped_alerts (4099, internals, error): here, a recipient lost alerts (full queue, too many dead letters).</summary>
    public static readonly AlertType DroppedAlerts =
        AlertType.Other(4099, "dropped_alerts", "Dropped Alerts", AlertCategory.Internals, Scores.Error);

    /// <summary>ntopng's alert_process_notification (4125, system, notice): here, the test message of `recipients test`.</summary>
    public static readonly AlertType ProcessNotification =
        AlertType.Other(4125, "process_notification", "Process", AlertCategory.System, Scores.Notice);

    /// <summary>
    /// A recipient lost alerts: <paramref name="queued"/> oldest ones of its full queue, <paramref name="deadLetters"/>
    /// oldest dead letters beyond their bound. Entity system, entity value the recipient's name.
    /// </summary>
    public static Alert Dropped(string recipient, long queued, long deadLetters, long totalDropped, int queueSize, DateTimeOffset now)
    {
        var losses = new List<string>();
        if (queued > 0)
            losses.Add($"{queued} oldest alert(s) dropped from its full queue");
        if (deadLetters > 0)
            losses.Add($"{deadLetters} oldest dead letter(s) dropped beyond their bound");
        return Raised(DroppedAlerts, recipient, now,
            new JsonObject
            {
                ["recipient"] = recipient,
                ["dropped"] = queued + deadLetters,
                ["dropped_queued"] = queued,
                ["dropped_dead_letters"] = deadLetters,
                ["total_dropped"] = totalDropped,
                ["queue_size"] = queueSize,
            },
            $"Recipient '{recipient}' lost alerts: {string.Join(" and ", losses)} (queue size {queueSize}, {totalDropped} dropped in total)");
    }

    /// <summary>What `tocsin recipients test` sends.</summary>
    public static Alert Test(string recipient, DateTimeOffset now) =>
        Raised(ProcessNotification, "tocsin", now,
            new JsonObject { ["event_type"] = "test", ["msg_details"] = $"test notification for recipient {recipient}" },
            $"Tocsin test notification for recipient '{recipient}'");

    /// <summary>A stored alert of the system entity, at <paramref name="now"/>, with its type's score and category, on no interface.</summary>
    private static Alert Raised(AlertType type, string entityValue, DateTimeOffset now, JsonObject parameters, string message) => new()
    {
        Type = type,
        Entity = AlertEntity.System,
        EntityValue = entityValue,
        Action = AlertAction.Store,
        Score = type.DefaultScore,
        Category = type.Category,
        Tstamp = now.ToUnixTimeSeconds(),
        TstampEnd = now.ToUnixTimeSeconds(),
        InterfaceId = -1,
        Params = parameters,
        Message = message,
    };
}
