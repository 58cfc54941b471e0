using System.Text.Json.Nodes;
using Tocsin.Alerts;
using Tocsin.Traffic;

namespace Tocsin.Checks;

/// <summary>
/// Runs the enabled flow checks' hooks as one worker's flows begin, are detected, age and end. One per worker:
/// checks themselves are shared and must not keep state outside the flow.
/// </summary>
public sealed class FlowChecksRunner : ITrafficObserver
{
    private readonly AlertEngine engine;
    private readonly InterfaceInfo iface;
    private readonly Action<Host>? hostRemoved;
    private readonly FlowCheck[] onBegin;
    private readonly FlowCheck[] onDetected;
    private readonly FlowCheck[] onPeriodic;
    private readonly FlowCheck[] onEnd;
    private readonly FlowCheckContext context;
    private TrafficTracker? traffic;

    /// <param name="hostRemoved">Told when the worker forgets a host (the periodic runner releases its alerts).</param>
    public FlowChecksRunner(IEnumerable<Check> checks, AlertEngine engine, InterfaceInfo iface, Action<Host>? hostRemoved = null)
    {
        this.engine = engine;
        this.iface = iface;
        this.hostRemoved = hostRemoved;
        var flowChecks = checks.Where(c => c.Enabled).OfType<FlowCheck>().ToList();
        onBegin = [.. flowChecks.Where(c => c.Overrides(nameof(FlowCheck.FlowBegin)))];
        onDetected = [.. flowChecks.Where(c => c.Overrides(nameof(FlowCheck.ProtocolDetected)))];
        onPeriodic = [.. flowChecks.Where(c => c.Overrides(nameof(FlowCheck.PeriodicUpdate)))];
        onEnd = [.. flowChecks.Where(c => c.Overrides(nameof(FlowCheck.FlowEnd)))];
        context = new FlowCheckContext(this);
    }

    /// <summary>Connects the worker's traffic (its tracker is built with this runner as observer).</summary>
    public void Attach(TrafficTracker tracker) => traffic = tracker;

    private TrafficTracker Traffic => traffic ?? throw new InvalidOperationException("no traffic attached");

    public long NowNs => Traffic.NowNs;

    public LocalNetworks LocalNetworks => Traffic.LocalNetworks;

    public void FlowBegin(Flow flow) => Run(onBegin, flow, static (c, ctx, f) => c.FlowBegin(ctx, f));

    public void ProtocolDetected(Flow flow) => Run(onDetected, flow, static (c, ctx, f) => c.ProtocolDetected(ctx, f));

    public void FlowEnd(Flow flow) => Run(onEnd, flow, static (c, ctx, f) => c.FlowEnd(ctx, f));

    public void HostRemoved(Host host) => hostRemoved?.Invoke(host);

    /// <summary>Runs the PeriodicUpdate hook on flows that have been alive for another period.</summary>
    public void RunPeriodicUpdates()
    {
        if (onPeriodic.Length == 0)
            return;
        foreach (var flow in Traffic.FlowsDueForPeriodicUpdate())
            Run(onPeriodic, flow, static (c, ctx, f) => c.PeriodicUpdate(ctx, f));
    }

    private void Run(FlowCheck[] checks, Flow flow, Action<FlowCheck, FlowCheckContext, Flow> hook)
    {
        foreach (var check in checks)
        {
            if (check.Excludes(flow.ClientIp) || check.Excludes(flow.ServerIp))
                continue;
            context.Current = check;
            hook(check, context, flow);
        }
    }

    internal bool RaiseFlowAlert(FlowCheck check, Flow flow, string message, JsonObject? parameters, FlowRoles roles)
    {
        int score = check.Score;
        int client = Math.Min(Scores.MaxPerSide, score * check.ClientScorePercent / 100);
        int server = Math.Min(Scores.MaxPerSide, score - client);
        if (!flow.Alerts.TryAdd(check.AlertType.Id, client, server))
            return false;
        parameters ??= [];
        flow.Application?.WriteDetails(parameters);
        engine.Store(AlertBuilder.Build(check, iface, NowNs / 1_000_000_000, AlertEntity.Flow, "flow", parameters, message,
            flow: AlertBuilder.FlowInfo(flow, roles)));
        return true;
    }
}
