using System.Text.Json.Nodes;
using Tocsin.Alerts;

namespace Tocsin.Notifications;

/// <summary>The alerts the notification system raises about itself, with ntopng's ids (spec/other_alerts.csv).</summary>
public static class SystemAlerts
{
    /// <summary>ntopng's alert_dropped_alerts (4099, internals, error): here, a recipient's queue overflowed.</summary>
    public static readonly AlertType DroppedAlerts =
        AlertType.Other(4099, "dropped_alerts", "Dropped Alerts", AlertCategory.Internals, Scores.Error);

    /// <summary>ntopng's alert_process_notification (4125, system, notice): here, the test message of `recipients test`.</summary>
    public static readonly AlertType ProcessNotification =
        AlertType.Other(4125, "process_notification", "Process", AlertCategory.System, Scores.Notice);

    /// <summary>"recipient queue overflow": entity system, entity value the recipient's name.</summary>
    public static Alert QueueOverflow(string recipient, long dropped, long totalDropped, int queueSize, DateTimeOffset now) => new()
    {
        Type = DroppedAlerts,
        Entity = AlertEntity.System,
        EntityValue = recipient,
        Action = AlertAction.Store,
        Score = DroppedAlerts.DefaultScore,
        Category = DroppedAlerts.Category,
        Tstamp = now.ToUnixTimeSeconds(),
        TstampEnd = now.ToUnixTimeSeconds(),
        InterfaceId = -1,
        Params = new JsonObject
        {
            ["recipient"] = recipient,
            ["dropped"] = dropped,
            ["total_dropped"] = totalDropped,
            ["queue_size"] = queueSize,
        },
        Message = $"Recipient queue overflow: {dropped} oldest alert(s) dropped from the queue of recipient '{recipient}' " +
                  $"(queue size {queueSize}, {totalDropped} dropped in total)",
    };

    /// <summary>What `tocsin recipients test` sends.</summary>
    public static Alert Test(string recipient, DateTimeOffset now) => new()
    {
        Type = ProcessNotification,
        Entity = AlertEntity.System,
        EntityValue = "tocsin",
        Action = AlertAction.Store,
        Score = ProcessNotification.DefaultScore,
        Category = ProcessNotification.Category,
        Tstamp = now.ToUnixTimeSeconds(),
        TstampEnd = now.ToUnixTimeSeconds(),
        InterfaceId = -1,
        Params = new JsonObject { ["event_type"] = "test", ["msg_details"] = $"test notification for recipient {recipient}" },
        Message = $"Tocsin test notification for recipient '{recipient}'",
    };
}
