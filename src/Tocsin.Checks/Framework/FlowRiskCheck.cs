using System.Text.Json.Nodes;
using Tocsin.Alerts;
using Tocsin.Traffic;

namespace Tocsin.Checks;

/// <summary>
/// Raises an alert when nDPI flagged a flow with one risk (ntopng's FlowRisk checks): when detection is complete,
/// or when the flow ends before it. Severity, score and the client share come from nDPI's own risk table.
/// </summary>
public abstract class FlowRiskCheck(int riskId, string key, AlertType alert, int clientScorePercent) : FlowCheck
{
    /// <summary>nDPI's risk id (bit in the risk bitmap).</summary>
    public int RiskId => riskId;

    public sealed override string Key => key;
    public sealed override string Title => alert.Title;
    public sealed override string Description => $"nDPI flagged the flow with risk {riskId}, \"{alert.Title}\"";
    public sealed override AlertType AlertType => alert;
    public sealed override bool EnabledByDefault => true;
    public sealed override int ClientScorePercent => clientScorePercent;

    public sealed override void ProtocolDetected(FlowCheckContext ctx, Flow flow)
    {
        if (flow.Application is not { } app || (app.RiskBitmap & (1UL << riskId)) == 0)
            return;
        var host = app.HostName.Length > 0 ? $", {WireText.Clean(app.HostName)}" : "";
        var evidence = app.DescribeRisk(riskId);
        ctx.Raise(flow, evidence.Length > 0 ? $"{alert.Title} ({app.ProtocolName}{host}): {evidence}" : $"{alert.Title} ({app.ProtocolName}{host})",
            new JsonObject { ["risk_id"] = riskId, ["risk_name"] = alert.Title });
    }
}
