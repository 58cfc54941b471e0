using System.Text.Json.Nodes;
using Tocsin.Alerts;
using Tocsin.Traffic;

namespace Tocsin.Checks.FlowChecks;

/// <summary>A check against operator-supplied lists of bad addresses, networks and domains.</summary>
public abstract class BlacklistCheck : FlowCheck
{
    private readonly ListFilesParameter lists = new("lists", "files of blacklisted IP addresses, CIDR blocks and domains, one per line");

    protected AddressAndDomainList Blacklist => lists.Value;

    public override bool EnabledByDefault => true;

    /// <summary>
    /// ntopng's contact alerts are about a local host meeting a remote blacklisted one. Without local networks
    /// nothing is known to be local, and every contact counts.
    /// </summary>
    protected static bool RemoteMeetsLocal(FlowCheckContext ctx, Host blacklisted, Host other) =>
        ctx.LocalNetworks.Count == 0 || (!blacklisted.IsLocal && other.IsLocal);
}

/// <summary>The flow's host name (SNI, HTTP Host, DNS query) is in a blacklisted domain.</summary>
public sealed class BlacklistedFlow : BlacklistCheck
{
    public static readonly AlertType Alert = AlertType.Flow(1, "blacklisted", "Blacklisted Flow", AlertCategory.Security, Scores.Critical);

    public override string Key => "blacklisted";
    public override string Title => "Blacklisted Flow";
    public override string Description => "The flow's server name (TLS SNI, HTTP Host, DNS query) is in a blacklisted domain";
    public override AlertType AlertType => Alert;
    public override int ClientScorePercent => 90;

    public override void ProtocolDetected(FlowCheckContext ctx, Flow flow)
    {
        if (flow.Application is not { } app || Blacklist.MatchDomain(app.HostName) is not { } domain)
            return;
        ctx.Raise(flow, $"{flow.ClientIp} contacted {app.HostName}, in blacklisted domain {domain}",
            new JsonObject { ["blacklisted_domain"] = domain, ["host_name"] = app.HostName }, FlowRoles.ClientVictim);
    }
}

/// <summary>A remote blacklisted host opens a connection to a local one.</summary>
public sealed class BlacklistedClientContact : BlacklistCheck
{
    public static readonly AlertType Alert = AlertType.Flow(9, "blacklisted_client_contact", "Blacklisted Client Contact", AlertCategory.Security, Scores.Warning);

    public override string Key => "blacklisted_client_contact";
    public override string Title => "Blacklisted Client Contact";
    public override string Description => "A remote blacklisted client contacts a local host";
    public override AlertType AlertType => Alert;
    public override int ClientScorePercent => 90;

    public override void ProtocolDetected(FlowCheckContext ctx, Flow flow)
    {
        if (!Blacklist.Contains(flow.ClientIp) || !RemoteMeetsLocal(ctx, flow.Client, flow.Server))
            return;
        ctx.Raise(flow, $"Blacklisted client {flow.ClientIp} contacted {flow.ServerIp}",
            new JsonObject { ["cli_blacklisted"] = true }, FlowRoles.ClientAttacker | FlowRoles.ServerVictim);
    }
}

/// <summary>A local host contacts a remote blacklisted server.</summary>
public sealed class BlacklistedServerContact : BlacklistCheck
{
    public static readonly AlertType Alert = AlertType.Flow(13, "blacklisted_server_contact", "Blacklisted Server Contact", AlertCategory.Security, Scores.Critical);

    public override string Key => "blacklisted_server_contact";
    public override string Title => "Blacklisted Server Contact";
    public override string Description => "A local host contacts a remote blacklisted server";
    public override AlertType AlertType => Alert;
    public override int ClientScorePercent => 90;

    public override void ProtocolDetected(FlowCheckContext ctx, Flow flow)
    {
        if (!Blacklist.Contains(flow.ServerIp) || !RemoteMeetsLocal(ctx, flow.Server, flow.Client))
            return;
        ctx.Raise(flow, $"{flow.ClientIp} contacted blacklisted server {flow.ServerIp}",
            new JsonObject { ["srv_blacklisted"] = true }, FlowRoles.ClientVictim | FlowRoles.ServerAttacker);
    }
}
