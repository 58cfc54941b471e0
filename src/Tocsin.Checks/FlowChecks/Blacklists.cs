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

/// <summary>A blacklisted host opens a connection.</summary>
public sealed class BlacklistedClientContact : BlacklistCheck
{
    public static readonly AlertType Alert = AlertType.Flow(9, "blacklisted_client_contact", "Blacklisted Client Contact", AlertCategory.Security, Scores.Warning);

    public override string Key => "blacklisted_client_contact";
    public override string Title => "Blacklisted Client Contact";
    public override string Description => "A blacklisted client contacts a host";
    public override AlertType AlertType => Alert;
    public override int ClientScorePercent => 90;

    public override void ProtocolDetected(FlowCheckContext ctx, Flow flow)
    {
        if (!Blacklist.Contains(flow.ClientIp))
            return;
        ctx.Raise(flow, $"Blacklisted client {flow.ClientIp} contacted {flow.ServerIp}",
            new JsonObject { ["cli_blacklisted"] = true }, FlowRoles.ClientAttacker | FlowRoles.ServerVictim);
    }
}

/// <summary>A host contacts a blacklisted server.</summary>
public sealed class BlacklistedServerContact : BlacklistCheck
{
    public static readonly AlertType Alert = AlertType.Flow(13, "blacklisted_server_contact", "Blacklisted Server Contact", AlertCategory.Security, Scores.Critical);

    public override string Key => "blacklisted_server_contact";
    public override string Title => "Blacklisted Server Contact";
    public override string Description => "A host contacts a blacklisted server";
    public override AlertType AlertType => Alert;
    public override int ClientScorePercent => 90;

    public override void ProtocolDetected(FlowCheckContext ctx, Flow flow)
    {
        if (!Blacklist.Contains(flow.ServerIp))
            return;
        ctx.Raise(flow, $"{flow.ClientIp} contacted blacklisted server {flow.ServerIp}",
            new JsonObject { ["srv_blacklisted"] = true }, FlowRoles.ClientVictim | FlowRoles.ServerAttacker);
    }
}
