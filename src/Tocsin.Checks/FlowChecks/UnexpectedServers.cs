using System.Text.Json.Nodes;
using Tocsin.Alerts;
using Tocsin.Decode;
using Tocsin.Traffic;

namespace Tocsin.Checks.FlowChecks;

/// <summary>
/// A client uses a server of a protocol that is not on the allowed list (ntopng's unexpected_* checks). As in
/// ntopng, an empty list allows no server: enabling the check without a list flags every server of the protocol.
/// Needs application-protocol detection (nDPI).
/// </summary>
public abstract class UnexpectedServerCheck(string protocolName, int[] protocols, ushort[] serverPorts) : FlowCheck
{
    private readonly NetworkListParameter allowed = new("allowed_servers", $"{protocolName} servers clients may use (addresses or CIDR blocks)");

    public override int ClientScorePercent => 90;

    public override void ProtocolDetected(FlowCheckContext ctx, Flow flow)
    {
        if (flow.Application is not { } app || !(protocols.Contains(app.AppProtocol) || protocols.Contains(app.MasterProtocol)))
            return;
        if (ServerOf(flow) is not { } server || allowed.Contains(server))
            return;
        ctx.Raise(flow, $"{flow.ClientIp} used {protocolName} server {server}, which is not an allowed one",
            new JsonObject { ["server_ip"] = server.ToString() }, FlowRoles.ClientAttacker);
    }

    /// <summary>
    /// The end on the protocol's port that can send (servers answer from it; a DHCP server also offers from 67 to the
    /// broadcast address), the flow's server first as NTP peers and DHCP relays share the port; off the standard
    /// ports, the flow's server. Broadcast, multicast and unspecified addresses never send, so a DHCP discover from
    /// 0.0.0.0:68 to 255.255.255.255:67 has no server.
    /// </summary>
    private IpAddr? ServerOf(Flow flow)
    {
        bool serverOnPort = serverPorts.Contains(flow.ServerPort), clientOnPort = serverPorts.Contains(flow.ClientPort);
        if (serverOnPort && CanServe(flow.ServerIp))
            return flow.ServerIp;
        if (clientOnPort && CanServe(flow.ClientIp))
            return flow.ClientIp;
        return !serverOnPort && !clientOnPort && CanServe(flow.ServerIp) ? flow.ServerIp : null;
    }

    private static bool CanServe(IpAddr ip) => !ip.IsBroadcast && !ip.IsMulticast && !ip.IsUnspecified;
}

public sealed class UnexpectedDns() : UnexpectedServerCheck("DNS", [NdpiProtocols.Dns], [53])
{
    public static readonly AlertType Alert = AlertType.Flow(33, "unexpected_dns_server", "Unexpected DNS Server", AlertCategory.Security, Scores.Error);

    public override string Key => "unexpected_dns";
    public override string Title => "Unexpected DNS Server";
    public override string Description => "A client queries a DNS server that is not on the allowed list";
    public override AlertType AlertType => Alert;
}

public sealed class UnexpectedNtp() : UnexpectedServerCheck("NTP", [NdpiProtocols.Ntp], [123])
{
    public static readonly AlertType Alert = AlertType.Flow(35, "unexpected_ntp_server", "Unexpected NTP Server", AlertCategory.Security, Scores.Error);

    public override string Key => "unexpected_ntp";
    public override string Title => "Unexpected NTP Server";
    public override string Description => "A client synchronises with an NTP server that is not on the allowed list";
    public override AlertType AlertType => Alert;
}

public sealed class UnexpectedSmtp() : UnexpectedServerCheck("SMTP", [NdpiProtocols.Smtp, NdpiProtocols.Smtps], [25, 465, 587])
{
    public static readonly AlertType Alert = AlertType.Flow(34, "unexpected_smtp_server", "Unexpected SMTP Server", AlertCategory.Security, Scores.Error);

    public override string Key => "unexpected_smtp";
    public override string Title => "Unexpected SMTP Server";
    public override string Description => "A client sends mail through an SMTP server that is not on the allowed list";
    public override AlertType AlertType => Alert;
}

/// <summary>A DHCP server not on the allowed list answers: a rogue DHCP server.</summary>
public sealed class UnexpectedDhcp() : UnexpectedServerCheck("DHCP", [NdpiProtocols.Dhcp], [67])
{
    public static readonly AlertType Alert = AlertType.Flow(32, "unexpected_dhcp_server", "Unexpected DHCP Server", AlertCategory.Security, Scores.Error);

    public override string Key => "unexpected_dhcp";
    public override string Title => "Unexpected DHCP Server";
    public override string Description => "A DHCP server that is not on the allowed list answers clients";
    public override AlertType AlertType => Alert;
}
