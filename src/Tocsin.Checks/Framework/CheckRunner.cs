using System.Globalization;
using System.Text.Json.Nodes;
using Tocsin.Alerts;
using Tocsin.Decode;
using Tocsin.Traffic;

namespace Tocsin.Checks;

/// <summary>The interface alerts are raised on (ntopng's ifid and name).</summary>
public sealed record InterfaceInfo(int Id, string Name);

/// <summary>
/// Runs the enabled checks: flow hooks as flow events arrive, host checks and threshold checks when the analysis
/// clock says so. Turns what they raise into alerts for the engine. Single-threaded.
/// </summary>
public sealed class CheckRunner : ITrafficObserver
{
    private const int HostCheckPeriodSeconds = 60;

    private readonly AlertEngine engine;
    private readonly InterfaceInfo iface;
    private readonly FlowCheck[] onBegin;
    private readonly FlowCheck[] onDetected;
    private readonly FlowCheck[] onPeriodic;
    private readonly FlowCheck[] onEnd;
    private readonly HostCheck[] hostChecks;
    private readonly TrafficThresholdCheck[] interfaceThresholds;
    private readonly TrafficThresholdCheck[] networkThresholds;
    private readonly HostThresholdCheck[] hostThresholds;
    private readonly bool[] hostThresholdLt;
    private readonly FlowCheckContext flowContext;
    private readonly HostCheckContext hostContext;
    private readonly Dictionary<(ThresholdCheck Check, string Entity), long[]> previousValues = [];
    private readonly long[] lastThresholdTickNs = new long[Granularities.All.Count];
    private TrafficTracker? traffic;
    private long lastHostTickNs;

    public CheckRunner(IEnumerable<Check> checks, AlertEngine engine, InterfaceInfo iface)
    {
        this.engine = engine;
        this.iface = iface;
        var enabled = checks.Where(c => c.Enabled).ToList();
        var flowChecks = enabled.OfType<FlowCheck>().ToList();
        onBegin = [.. flowChecks.Where(c => c.Overrides(nameof(FlowCheck.FlowBegin)))];
        onDetected = [.. flowChecks.Where(c => c.Overrides(nameof(FlowCheck.ProtocolDetected)))];
        onPeriodic = [.. flowChecks.Where(c => c.Overrides(nameof(FlowCheck.PeriodicUpdate)))];
        onEnd = [.. flowChecks.Where(c => c.Overrides(nameof(FlowCheck.FlowEnd)))];
        hostChecks = [.. enabled.OfType<HostCheck>()];
        var trafficThresholds = enabled.OfType<TrafficThresholdCheck>().ToList();
        interfaceThresholds = [.. trafficThresholds.Where(c => c.Entity == CheckEntity.Interface)];
        networkThresholds = [.. trafficThresholds.Where(c => c.Entity == CheckEntity.Network)];
        hostThresholds = [.. enabled.OfType<HostThresholdCheck>()];
        hostThresholdLt = [.. Granularities.All.Select(g => hostThresholds.Any(c => c.ThresholdFor(g)?.Operator == ThresholdOperator.Lt))];
        flowContext = new FlowCheckContext(this);
        hostContext = new HostCheckContext(this);
    }

    /// <summary>Connects the traffic the checks look at (the tracker is built with this runner as its observer).</summary>
    public void Attach(TrafficTracker tracker) => traffic = tracker;

    private TrafficTracker Traffic => traffic ?? throw new InvalidOperationException("no traffic attached");

    public long NowNs => Traffic.NowNs;

    private long NowSeconds => Traffic.NowNs / 1_000_000_000;

    public LocalNetworks LocalNetworks => Traffic.LocalNetworks;

    public bool HasFlowPeriodicChecks => onPeriodic.Length > 0;

    public void FlowBegin(Flow flow) => RunFlowHook(onBegin, flow, static (c, ctx, f) => c.FlowBegin(ctx, f));

    public void ProtocolDetected(Flow flow) => RunFlowHook(onDetected, flow, static (c, ctx, f) => c.ProtocolDetected(ctx, f));

    public void FlowEnd(Flow flow) => RunFlowHook(onEnd, flow, static (c, ctx, f) => c.FlowEnd(ctx, f));

    /// <summary>Runs the PeriodicUpdate hook on flows that have been alive for another period.</summary>
    public void RunFlowPeriodicUpdates()
    {
        if (onPeriodic.Length == 0)
            return;
        foreach (var flow in Traffic.FlowsDueForPeriodicUpdate())
            RunFlowHook(onPeriodic, flow, static (c, ctx, f) => c.PeriodicUpdate(ctx, f));
    }

    private void RunFlowHook(FlowCheck[] checks, Flow flow, Action<FlowCheck, FlowCheckContext, Flow> hook)
    {
        foreach (var check in checks)
        {
            if (check.Excludes(flow.ClientIp) || check.Excludes(flow.ServerIp))
                continue;
            flowContext.Current = check;
            hook(check, flowContext, flow);
        }
    }

    public void HostRemoved(Host host)
    {
        if (host.CheckState is HostState { Engaged.Count: > 0 } state)
        {
            foreach (var key in state.Engaged)
                engine.Release(key, NowSeconds);
        }
        host.CheckState = null;
    }

    /// <summary>What the runner keeps on each host: its engaged alerts and the last threshold readings.</summary>
    private sealed class HostState
    {
        public List<AlertKey> Engaged { get; } = [];

        /// <summary>Cumulative value at the last tick, per host threshold check and granularity.</summary>
        public long[]? Previous { get; set; }
    }

    private static HostState StateOf(Host host) => host.CheckState as HostState ?? (HostState)(host.CheckState = new HostState());

    /// <summary>
    /// The minute tick: every host check on every host, then the hosts' interval counters restart. A host without
    /// packets since the last tick has nothing to report: it is only visited to release what it has engaged.
    /// </summary>
    public void RunHostChecks()
    {
        long since = lastHostTickNs;
        lastHostTickNs = NowNs;
        foreach (var host in Traffic.Hosts.All)
        {
            bool anyEngaged = host.CheckState is HostState { Engaged.Count: > 0 };
            bool active = host.LastSeenNs >= since;
            if (!active && !anyEngaged)
                continue;
            foreach (var check in hostChecks)
            {
                var key = new AlertKey(AlertEntity.Host, host.EntityValue, check.AlertType, "", HostCheckPeriodSeconds);
                var engaged = anyEngaged ? engine.FindEngaged(key) : null;
                if (check.Excludes(host.Ip))
                {
                    if (engaged is not null)
                        ReleaseHostAlert(host, key);
                    continue;
                }
                hostContext.Current = check;
                hostContext.Triggered = false;
                check.PeriodicUpdate(hostContext, host, engaged);
                if (!hostContext.Triggered && engaged is not null)
                    ReleaseHostAlert(host, key);
            }
            if (active)
                host.StartInterval();
        }
    }

    /// <summary>
    /// Evaluates every threshold set for <paramref name="granularity"/> on the period that just ended.
    /// A partial period (the end of a capture) only evaluates <c>gt</c>: it cannot prove a value stayed below a bound.
    /// </summary>
    public void RunThresholds(Granularity granularity, bool partialPeriod)
    {
        foreach (var check in interfaceThresholds)
        {
            var entity = iface.Id.ToString(CultureInfo.InvariantCulture);
            Evaluate(check, granularity, partialPeriod, AlertEntity.Interface, entity, check.Read(Traffic.Interface), PreviousOf(check, entity), null);
        }
        var networks = Traffic.LocalNetworks.Networks;
        foreach (var check in networkThresholds)
        {
            for (int i = 0; i < networks.Count; i++)
            {
                if (Excludes(check, networks[i]))
                    continue;
                var name = networks[i].ToString();
                Evaluate(check, granularity, partialPeriod, AlertEntity.Network, name, check.Read(Traffic.Networks[i]), PreviousOf(check, name), null);
            }
        }
        int slot = Slot(granularity);
        long since = lastThresholdTickNs[slot];
        lastThresholdTickNs[slot] = NowNs;
        if (hostThresholds.Length == 0)
            return;
        foreach (var host in Traffic.Hosts.All)
        {
            // An idle host's value is 0 and its history unchanged: only an lt bound or an engaged alert needs it.
            if (host.LastSeenNs < since && !hostThresholdLt[slot] && host.CheckState is not HostState { Engaged.Count: > 0 })
                continue;
            var state = StateOf(host);
            state.Previous ??= new long[hostThresholds.Length * Granularities.All.Count];
            for (int i = 0; i < hostThresholds.Length; i++)
            {
                var check = hostThresholds[i];
                if (check.Excludes(host.Ip))
                    continue;
                Evaluate(check, granularity, partialPeriod, AlertEntity.Host, host.EntityValue, check.Read(host),
                    state.Previous.AsSpan(i * Granularities.All.Count, Granularities.All.Count), host);
            }
        }
    }

    private static int Slot(Granularity granularity) => granularity switch
    {
        Granularity.Minute => 0,
        Granularity.FiveMinutes => 1,
        Granularity.Hour => 2,
        _ => 3,
    };

    /// <summary>History of an interface or network entity (few of them: a dictionary is fine).</summary>
    private Span<long> PreviousOf(ThresholdCheck check, string entityValue)
    {
        if (!previousValues.TryGetValue((check, entityValue), out var previous))
        {
            previous = new long[Granularities.All.Count];
            previousValues.Add((check, entityValue), previous);
        }
        return previous;
    }

    private static bool Excludes(Check check, IpNetwork network) =>
        check.Exclude.Value.Any(e => e.Contains(network.Prefix) && e.PrefixLength <= network.PrefixLength);

    private void Evaluate(ThresholdCheck check, Granularity granularity, bool partial, AlertEntity entity, string entityValue,
        long cumulative, Span<long> previous, Host? host)
    {
        int slot = Slot(granularity);
        long value = cumulative - previous[slot];
        previous[slot] = cumulative;
        if (check.ThresholdFor(granularity) is not { } threshold)
            return;
        if (partial && threshold.Operator == ThresholdOperator.Lt)
            return;

        var key = new AlertKey(entity, entityValue, check.AlertType, check.Key, granularity.Seconds());
        if (!threshold.IsCrossedBy(value))
        {
            if (host is null)
                engine.Release(key, NowSeconds);
            else
                ReleaseHostAlert(host, key);
            return;
        }
        var parameters = new JsonObject
        {
            ["metric"] = check.Metric,
            ["value"] = value,
            ["operator"] = threshold.OperatorName,
            ["threshold"] = threshold.Value,
            ["frequency"] = granularity.Key(),
        };
        string label = entity switch
        {
            AlertEntity.Interface => $"Interface {iface.Name}",
            AlertEntity.Network => $"Network {entityValue}",
            _ => $"Host {entityValue}",
        };
        string message = $"{label}: {check.Metric} in the last {granularity.Noun()} " +
            $"{Units.Format(value, check.Metric)} {threshold.OperatorSymbol} threshold {Units.Format(threshold.Value, check.Metric)}" +
            (partial ? " (partial period at the end of the capture)" : "");
        var alert = NewAlert(check, entity, entityValue, parameters, message, granularity.Seconds(), check.Key,
            host is null ? null : HostInfo(host, HostRole.None));
        if (engine.Engage(key, alert) && host is not null)
            TrackHostAlert(host, key);
    }

    internal bool RaiseFlowAlert(FlowCheck check, Flow flow, string message, JsonObject? parameters, FlowRoles roles)
    {
        int score = check.Score;
        int client = Math.Min(Scores.MaxPerSide, score * check.ClientScorePercent / 100);
        int server = Math.Min(Scores.MaxPerSide, score - client);
        if (!flow.Alerts.TryAdd(check.AlertType.Id, client, server))
            return false;
        var info = new FlowAlertInfo
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
        };
        parameters ??= [];
        flow.Application?.WriteDetails(parameters);
        var alert = NewAlert(check, AlertEntity.Flow, "flow", parameters, message, 0, "", null, info);
        engine.Store(alert);
        return true;
    }

    internal void TriggerHostAlert(HostCheck check, Host host, string message, JsonObject? parameters, HostRole role)
    {
        var key = new AlertKey(AlertEntity.Host, host.EntityValue, check.AlertType, "", HostCheckPeriodSeconds);
        var alert = NewAlert(check, AlertEntity.Host, host.EntityValue, parameters, message, HostCheckPeriodSeconds, "", HostInfo(host, role));
        if (engine.Engage(key, alert))
            TrackHostAlert(host, key);
    }

    private static void TrackHostAlert(Host host, in AlertKey key) => StateOf(host).Engaged.Add(key);

    private void ReleaseHostAlert(Host host, in AlertKey key)
    {
        if (host.CheckState is HostState { Engaged.Count: > 0 } state && engine.Release(key, NowSeconds))
            state.Engaged.Remove(key);
    }

    private HostAlertInfo HostInfo(Host host, HostRole role) => new()
    {
        Ip = host.Ip.ToString(),
        VlanId = host.VlanId,
        IpVersion = host.Ip.Version,
        IsLocal = host.IsLocal,
        IsAttacker = role == HostRole.Attacker,
        IsVictim = role == HostRole.Victim,
        IsClient = role == HostRole.Attacker,
        IsServer = role == HostRole.Victim,
        Network = host.NetworkIndex >= 0 ? Traffic.LocalNetworks.Networks[host.NetworkIndex].ToString() : "",
    };

    private Alert NewAlert(Check check, AlertEntity entity, string entityValue, JsonObject? parameters, string message,
        int granularity, string subtype, HostAlertInfo? host, FlowAlertInfo? flow = null)
    {
        var p = parameters ?? [];
        p["alert_generation"] = new JsonObject { ["script_key"] = check.Key, ["subdir"] = Subdir(check.Entity) };
        long now = NowSeconds;
        return new Alert
        {
            Type = check.AlertType,
            Entity = entity,
            EntityValue = entityValue,
            Subtype = subtype,
            Granularity = granularity,
            Score = check.Score,
            Category = check.Category,
            Tstamp = now,
            TstampEnd = now,
            Params = p,
            Message = message,
            InterfaceId = iface.Id,
            InterfaceName = iface.Name,
            Host = host,
            Flow = flow,
        };
    }

    private static string Subdir(CheckEntity entity) => entity switch
    {
        CheckEntity.Flow => "flow",
        CheckEntity.Host => "host",
        CheckEntity.Interface => "interface",
        _ => "network",
    };
}
