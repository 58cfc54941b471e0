using System.Text.Json.Nodes;
using Tocsin.Alerts;

namespace Tocsin.Store.Tests;

/// <summary>Alert types and alert builders shared by the store tests.</summary>
internal static class TestAlerts
{
    public static readonly AlertType Blacklisted = AlertType.Flow(1, "blacklisted", "Blacklisted Flow", AlertCategory.Security, Scores.Error);
    public static readonly AlertType RemoteToRemote = AlertType.Flow(2, "remote_to_remote", "Remote to Remote", AlertCategory.Network, Scores.Notice);

    // Same numeric id as Blacklisted, in the host space: a type-id filter matches both families.
    public static readonly AlertType SynScan = AlertType.Host(1, "syn_scan_attacker", "SYN Scan Attacker", AlertCategory.Security, Scores.Warning);
    public static readonly AlertType ThresholdCross = AlertType.Other(4097, "threshold_cross", "Threshold Cross", AlertCategory.Network, Scores.Warning);
    public static readonly AlertType ProcessNotification = AlertType.Other(4108, "process_notification", "Process Notification", AlertCategory.System, Scores.Notice);

    public static AlertTypeCatalog Catalog { get; } =
        new([Blacklisted, RemoteToRemote, SynScan, ThresholdCross, ProcessNotification]);

    public static Alert Flow(
        string message,
        long tstamp,
        string cliIp = "10.0.0.1",
        int cliPort = 40000,
        string srvIp = "192.0.2.1",
        int srvPort = 443,
        int vlan = 0,
        int score = Scores.Error,
        AlertType? type = null,
        bool acknowledged = false) => new()
    {
        Type = type ?? Blacklisted,
        Entity = AlertEntity.Flow,
        EntityValue = "flow",
        Action = AlertAction.Store,
        Score = score,
        Category = (type ?? Blacklisted).Category,
        Tstamp = tstamp,
        TstampEnd = tstamp + 5,
        Message = message,
        Acknowledged = acknowledged,
        Flow = new FlowAlertInfo
        {
            CliIp = cliIp,
            CliPort = cliPort,
            SrvIp = srvIp,
            SrvPort = srvPort,
            Proto = 6,
            VlanId = vlan,
            IpVersion = 4,
        },
    };

    public static Alert Host(string message, long tstamp, string ip = "10.0.0.5", int vlan = 0, int score = Scores.Warning,
        AlertAction action = AlertAction.Release) => new()
    {
        Type = SynScan,
        Entity = AlertEntity.Host,
        EntityValue = $"{ip}@{vlan}",
        Granularity = 60,
        Action = action,
        Score = score,
        Category = SynScan.Category,
        Tstamp = tstamp,
        TstampEnd = tstamp + 60,
        Message = message,
        Host = new HostAlertInfo { Ip = ip, VlanId = vlan, IpVersion = 4 },
    };

    public static Alert Other(string message, AlertEntity entity, string entityValue, long tstamp, int score = Scores.Warning,
        AlertType? type = null) => new()
    {
        Type = type ?? ThresholdCross,
        Entity = entity,
        EntityValue = entityValue,
        Granularity = 300,
        Action = AlertAction.Release,
        Score = score,
        Category = (type ?? ThresholdCross).Category,
        Tstamp = tstamp,
        TstampEnd = tstamp + 300,
        Params = new JsonObject { ["metric"] = "bytes", ["value"] = 12 },
        Message = message,
    };
}
