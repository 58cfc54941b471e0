using Tocsin.Alerts;
using Tocsin.Traffic;

namespace Tocsin.Checks.FlowChecks;

/// <summary>Traffic of the crypto-currency mining category (ntopng's web_mining).</summary>
public sealed class WebMining : FlowCheck
{
    public static readonly AlertType Alert = AlertType.Flow(27, "web_mining", "Web Mining", AlertCategory.Security, Scores.Warning);

    public override string Key => "web_mining";
    public override string Title => "Web Mining";
    public override string Description => "A host exchanges crypto-currency mining traffic";
    public override AlertType AlertType => Alert;
    public override bool EnabledByDefault => true;
    public override int ClientScorePercent => 90;

    public override void ProtocolDetected(FlowCheckContext ctx, Flow flow)
    {
        if (flow.Application is not { Category: NdpiProtocols.MiningCategory } app)
            return;
        ctx.Raise(flow, $"{flow.ClientIp} exchanges crypto-currency mining traffic ({app.ProtocolName}) with {flow.ServerIp}", roles: FlowRoles.ClientAttacker);
    }
}
