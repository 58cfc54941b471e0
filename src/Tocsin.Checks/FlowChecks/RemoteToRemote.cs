using System.Text.Json.Nodes;
using Tocsin.Alerts;
using Tocsin.Traffic;

namespace Tocsin.Checks.FlowChecks;

/// <summary>A flow between two hosts outside every local network: traffic a sensor should not see (ntopng's remote_to_remote).</summary>
public sealed class RemoteToRemote : FlowCheck
{
    public static readonly AlertType Alert =
        AlertType.Flow(16, "remote_to_remote", "Remote to Remote Flow", AlertCategory.Network, Scores.Notice);

    public override string Key => "remote_to_remote";
    public override string Title => "Remote to Remote Flow";
    public override string Description => "A flow whose client and server are both outside the local networks";
    public override AlertType AlertType => Alert;

    public override void ProtocolDetected(FlowCheckContext ctx, Flow flow)
    {
        // Without local networks every host is remote: the check would flag all traffic, so it stays silent.
        if (ctx.LocalNetworks.Count == 0 || flow.Client.IsLocal || flow.Server.IsLocal)
            return;
        if (flow.ServerIp.IsMulticast || flow.ServerIp.IsBroadcast)
            return;
        ctx.Raise(flow,
            $"Remote client {flow.ClientIp} talks to remote server {flow.ServerIp} ({FlowKey.ProtocolName(flow.Protocol)} port {flow.ServerPort})",
            new JsonObject { ["cli_ip"] = flow.ClientIp.ToString(), ["srv_ip"] = flow.ServerIp.ToString() });
    }
}
