using System.Text.Json.Nodes;
using Tocsin.Alerts;
using Tocsin.Traffic;

namespace Tocsin.Checks;

/// <summary>The interface alerts are raised on (ntopng's ifid and name).</summary>
public sealed record InterfaceInfo(int Id, string Name);

/// <summary>Turns what a check raises into an <see cref="Alert"/> with the check's identity, score and category.</summary>
internal static class AlertBuilder
{
    public static Alert Build(Check check, InterfaceInfo iface, long nowSeconds, AlertEntity entity, string entityValue,
        JsonObject? parameters, string message, int granularity = 0, string subtype = "", HostAlertInfo? host = null, FlowAlertInfo? flow = null)
    {
        var p = parameters ?? [];
        p["alert_generation"] = new JsonObject { ["script_key"] = check.Key, ["subdir"] = Subdir(check.Entity) };
        return new Alert
        {
            Type = check.AlertType,
            Entity = entity,
            EntityValue = entityValue,
            Subtype = subtype,
            Granularity = granularity,
            Score = check.Score,
            Category = check.Category,
            Tstamp = nowSeconds,
            TstampEnd = nowSeconds,
            Params = p,
            Message = message,
            InterfaceId = iface.Id,
            InterfaceName = iface.Name,
            Host = host,
            Flow = flow,
        };
    }

    public static FlowAlertInfo FlowInfo(Flow flow, FlowRoles roles) => new()
    {
        CliIp = flow.ClientIp.ToString(),
        CliPort = flow.ClientPort,
        SrvIp = flow.ServerIp.ToString(),
        SrvPort = flow.ServerPort,
        Proto = flow.Protocol,
        VlanId = flow.VlanId,
        IpVersion = flow.IpVersion,
        FirstSeen = flow.FirstSeenNs / 1_000_000_000,
        LastSeen = flow.LastSeenNs / 1_000_000_000,
        Cli2SrvBytes = flow.ClientToServer.Bytes,
        Cli2SrvPackets = flow.ClientToServer.Packets,
        Srv2CliBytes = flow.ServerToClient.Bytes,
        Srv2CliPackets = flow.ServerToClient.Packets,
        CliIsLocal = flow.Client.IsLocal,
        SrvIsLocal = flow.Server.IsLocal,
        IsCliAttacker = (roles & FlowRoles.ClientAttacker) != 0,
        IsCliVictim = (roles & FlowRoles.ClientVictim) != 0,
        IsSrvAttacker = (roles & FlowRoles.ServerAttacker) != 0,
        IsSrvVictim = (roles & FlowRoles.ServerVictim) != 0,
        FlowScore = flow.Alerts.Score,
        L7Proto = flow.Application?.AppProtocol ?? -1,
        L7MasterProto = flow.Application?.MasterProtocol ?? -1,
        L7Name = flow.Application?.ProtocolName ?? "",
        L7Category = flow.Application?.Category ?? 0,
        HostName = flow.Application?.HostName ?? "",
        RiskBitmap = flow.Application?.RiskBitmap ?? 0,
        Risks = flow.Application?.RiskNames ?? [],
        Info = flow.Application?.Info ?? "",
    };

    public static HostAlertInfo HostInfo(Host host, HostRole role, LocalNetworks networks) => new()
    {
        Ip = host.Ip.ToString(),
        VlanId = host.VlanId,
        IpVersion = host.Ip.Version,
        IsLocal = host.IsLocal,
        IsAttacker = role == HostRole.Attacker,
        IsVictim = role == HostRole.Victim,
        IsClient = role == HostRole.Attacker,
        IsServer = role == HostRole.Victim,
        Network = host.NetworkIndex >= 0 ? networks.Networks[host.NetworkIndex].ToString() : "",
    };

    private static string Subdir(CheckEntity entity) => entity switch
    {
        CheckEntity.Flow => "flow",
        CheckEntity.Host => "host",
        CheckEntity.Interface => "interface",
        _ => "network",
    };
}
