using System.Text.Json;
using System.Text.Json.Nodes;
using Tocsin.Alerts;
using Tocsin.Checks.FlowChecks;
using Tocsin.Checks.HostChecks;

namespace Tocsin.Notifications.Tests;

/// <summary>Alerts of real Tocsin types, numbered so tests can check what arrived and in which order.</summary>
public static class TestAlerts
{
    public const long BaseTime = 1_714_557_600; // 2024-05-01T10:00:00Z

    /// <summary>A stored flow alert (tcp_connection_refused, notice) whose message is "alert #n".</summary>
    public static Alert Flow(int n, int score = Scores.Notice, string? message = null, string cliIp = "10.0.0.1", int srvPort = 80) => new()
    {
        Type = TcpConnectionRefused.Alert,
        Entity = AlertEntity.Flow,
        EntityValue = "flow",
        Action = AlertAction.Store,
        Score = score,
        Category = TcpConnectionRefused.Alert.Category,
        Tstamp = BaseTime + n,
        TstampEnd = BaseTime + n,
        Params = new JsonObject { ["n"] = n },
        Message = message ?? $"alert #{n}",
        InterfaceName = "eth0",
        Flow = new FlowAlertInfo
        {
            CliIp = cliIp,
            CliPort = 40000 + n % 20000,
            SrvIp = "192.0.2.10",
            SrvPort = srvPort,
            Proto = 6,
            IpVersion = 4,
            L7Name = "HTTP",
        },
    };

    /// <summary>A host alert (syn_scan, warning) with the given action, attacker side.</summary>
    public static Alert Host(int n, AlertAction action, string ip = "172.16.0.8", int score = Scores.Warning) => new()
    {
        Type = SynScan.Alert,
        Entity = AlertEntity.Host,
        EntityValue = ip + "@0",
        Granularity = 60,
        Action = action,
        Score = score,
        Category = SynScan.Alert.Category,
        Tstamp = BaseTime + n,
        TstampEnd = action == AlertAction.Release ? BaseTime + n + 60 : 0,
        Params = new JsonObject { ["n"] = n, ["value"] = 422, ["threshold"] = 256 },
        Message = $"alert #{n}",
        Host = new HostAlertInfo { Ip = ip, IpVersion = 4, IsAttacker = true, IsClient = true },
    };

    /// <summary>The n of an alert JSON received by a service (its message "alert #n").</summary>
    public static int Number(JsonElement alert) => int.Parse(alert.GetProperty("message").GetString()!["alert #".Length..], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The numbers of alerts taken from a queue, in queue order.</summary>
    public static List<int> Numbers(IEnumerable<Notification> rows) => [.. rows.Select(r => Number(JsonDocument.Parse(r.Json).RootElement))];

    /// <summary>The numbers of the alerts in webhook bodies, in arrival order.</summary>
    public static List<int> Numbers(IEnumerable<ReceivedRequest> requests) =>
        [.. requests.SelectMany(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("alerts").EnumerateArray().Select(Number))];
}
