using System.Globalization;
using System.Text.Json.Nodes;
using Tocsin.Alerts;
using Tocsin.Decode;
using Tocsin.Traffic;

namespace Tocsin.Checks;

/// <summary>
/// Runs host checks each minute and threshold checks per granularity, on the hosts and counters the analysis
/// hands it (one worker's, or several workers' merged), and keeps their alerts engaged or releases them.
/// </summary>
public sealed class PeriodicChecksRunner
{
    private const int HostCheckPeriodSeconds = 60;

    private readonly AlertEngine engine;
    private readonly InterfaceInfo iface;
    private readonly LocalNetworks networks;
    private readonly HostCheck[] hostChecks;
    private readonly TrafficThresholdCheck[] interfaceThresholds;
    private readonly TrafficThresholdCheck[] networkThresholds;
    private readonly HostThresholdCheck[] hostThresholds;
    private readonly bool[] hostThresholdLt;
    private readonly HostCheckContext hostContext;
    private readonly Dictionary<(ThresholdCheck Check, string Entity), long[]> previousValues = [];
    private readonly long[] lastThresholdTickNs = new long[Granularities.All.Count];
    private long lastHostTickNs;

    public PeriodicChecksRunner(IEnumerable<Check> checks, AlertEngine engine, InterfaceInfo iface, LocalNetworks networks)
    {
        this.engine = engine;
        this.iface = iface;
        this.networks = networks;
        var enabled = checks.Where(c => c.Enabled).ToList();
        hostChecks = [.. enabled.OfType<HostCheck>()];
        var trafficThresholds = enabled.OfType<TrafficThresholdCheck>().ToList();
        interfaceThresholds = [.. trafficThresholds.Where(c => c.Entity == CheckEntity.Interface)];
        networkThresholds = [.. trafficThresholds.Where(c => c.Entity == CheckEntity.Network)];
        hostThresholds = [.. enabled.OfType<HostThresholdCheck>()];
        hostThresholdLt = [.. Granularities.All.Select(g => hostThresholds.Any(c => c.ThresholdFor(g)?.Operator == ThresholdOperator.Lt))];
        hostContext = new HostCheckContext(this);
    }

    /// <summary>The analysis clock; set before each run.</summary>
    public long NowNs { get; set; }

    private long NowSeconds => NowNs / 1_000_000_000;

    /// <summary>A host is forgotten: its engaged alerts are released.</summary>
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
    /// A partial minute (the end of a capture) can engage but not release, as for thresholds.
    /// </summary>
    public void RunHostChecks(IEnumerable<Host> hosts, bool partialPeriod = false)
    {
        long since = lastHostTickNs;
        lastHostTickNs = NowNs;
        foreach (var host in hosts)
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
                if (!hostContext.Triggered && engaged is not null && !partialPeriod)
                    ReleaseHostAlert(host, key);
            }
            if (active)
                host.StartInterval();
        }
    }

    /// <summary>
    /// Evaluates every threshold set for <paramref name="granularity"/> on the period that just ended, from the
    /// interface's and local networks' cumulative counters and the hosts'.
    /// A partial period (the end of a capture) can only engage a <c>gt</c> alert: it cannot prove that a value stayed
    /// below a bound nor that a crossing stopped, so what is engaged stays engaged for the end of the analysis.
    /// </summary>
    public void RunThresholds(Granularity granularity, bool partialPeriod, TrafficCounters interfaceCounters,
        IReadOnlyList<TrafficCounters> networkCounters, IEnumerable<Host> hosts)
    {
        foreach (var check in interfaceThresholds)
        {
            var entity = iface.Id.ToString(CultureInfo.InvariantCulture);
            Evaluate(check, granularity, partialPeriod, AlertEntity.Interface, entity, check.Read(interfaceCounters), PreviousOf(check, entity), null);
        }
        foreach (var check in networkThresholds)
        {
            for (int i = 0; i < networks.Count; i++)
            {
                if (Excludes(check, networks.Networks[i]))
                    continue;
                var name = networks.Networks[i].ToString();
                Evaluate(check, granularity, partialPeriod, AlertEntity.Network, name, check.Read(networkCounters[i]), PreviousOf(check, name), null);
            }
        }
        int slot = Slot(granularity);
        long since = lastThresholdTickNs[slot];
        lastThresholdTickNs[slot] = NowNs;
        if (hostThresholds.Length == 0)
            return;
        foreach (var host in hosts)
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
        bool crossed = threshold.IsCrossedBy(value);
        if (partial && (threshold.Operator == ThresholdOperator.Lt || !crossed))
            return;

        var key = new AlertKey(entity, entityValue, check.AlertType, check.Key, granularity.Seconds());
        if (!crossed)
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
        var alert = AlertBuilder.Build(check, iface, NowSeconds, entity, entityValue, parameters, message, granularity.Seconds(), check.Key,
            host is null ? null : AlertBuilder.HostInfo(host, HostRole.None, networks));
        if (engine.Engage(key, alert) && host is not null)
            TrackHostAlert(host, key);
    }

    internal void TriggerHostAlert(HostCheck check, Host host, string message, JsonObject? parameters, HostRole role)
    {
        var key = new AlertKey(AlertEntity.Host, host.EntityValue, check.AlertType, "", HostCheckPeriodSeconds);
        var alert = AlertBuilder.Build(check, iface, NowSeconds, AlertEntity.Host, host.EntityValue, parameters, message,
            HostCheckPeriodSeconds, host: AlertBuilder.HostInfo(host, role, networks));
        if (engine.Engage(key, alert))
            TrackHostAlert(host, key);
    }

    private static void TrackHostAlert(Host host, in AlertKey key) => StateOf(host).Engaged.Add(key);

    private void ReleaseHostAlert(Host host, in AlertKey key)
    {
        if (host.CheckState is HostState { Engaged.Count: > 0 } state && engine.Release(key, NowSeconds))
            state.Engaged.Remove(key);
    }
}
