using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Nodes;
using Tocsin.Alerts;
using Tocsin.Traffic;

namespace Tocsin.Checks;

/// <summary>Roles the ends of a flow play in an alert.</summary>
[Flags]
public enum FlowRoles
{
    None = 0,
    ClientAttacker = 1,
    ClientVictim = 2,
    ServerAttacker = 4,
    ServerVictim = 8,
}

/// <summary>
/// A check on flows. Override any of the four hooks; only the overridden ones are called. Flow alerts are events:
/// each type is raised at most once per flow.
/// </summary>
public abstract class FlowCheck : Check
{
    public sealed override CheckEntity Entity => CheckEntity.Flow;

    /// <summary>Share of the score charged to the client (ntopng's cli_pctg); the server gets the rest.</summary>
    public virtual int ClientScorePercent => 50;

    /// <summary>First packet of the flow.</summary>
    public virtual void FlowBegin(FlowCheckContext ctx, Flow flow)
    {
    }

    /// <summary>Application-protocol detection finished.</summary>
    public virtual void ProtocolDetected(FlowCheckContext ctx, Flow flow)
    {
    }

    /// <summary>Every 5 minutes for flows older than that.</summary>
    public virtual void PeriodicUpdate(FlowCheckContext ctx, Flow flow)
    {
    }

    /// <summary>The flow ends (idle, closed, or end of the analysis).</summary>
    public virtual void FlowEnd(FlowCheckContext ctx, Flow flow)
    {
    }

    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = TrimRoots.Justification)]
    internal bool Overrides(string hook) =>
        GetType().GetMethod(hook)?.DeclaringType != typeof(FlowCheck);
}

/// <summary>What a flow check can do while one of its hooks runs.</summary>
public sealed class FlowCheckContext
{
    private readonly FlowChecksRunner runner;

    internal FlowCheckContext(FlowChecksRunner runner) => this.runner = runner;

    internal FlowCheck Current { get; set; } = null!;

    public long NowNs => runner.NowNs;

    public LocalNetworks LocalNetworks => runner.LocalNetworks;

    /// <summary>Raises the check's alert on <paramref name="flow"/> (once per flow and type).</summary>
    public bool Raise(Flow flow, string message, JsonObject? parameters = null, FlowRoles roles = FlowRoles.None) =>
        runner.RaiseFlowAlert(Current, flow, message, parameters, roles);
}
