using System.Diagnostics;
using System.Runtime.ExceptionServices;
using Tocsin.Alerts;
using Tocsin.Capture;
using Tocsin.Checks;
using Tocsin.Decode;
using Tocsin.Traffic;

namespace Tocsin.Analysis;

/// <summary>
/// The offline pipeline: capture → decode → flows and hosts → checks → alert engine, on the capture's own clock.
/// Feed it captures in order with <see cref="Run"/>, then <see cref="Close"/> it once.
/// With several workers, each reads the whole capture (the first on the calling thread, the others on threads of
/// their own) and tracks its share of the host pairs; at every tick each hands in what its hosts and counters added
/// and reads on, and once all have, the shares are merged and host and threshold checks run on the merged view
/// (<see cref="TickMerger"/>), so the alerts equal those of one worker.
/// </summary>
public sealed class Analyzer
{
    private readonly LocalNetworks networks;
    private readonly Worker[] workers;
    private readonly PeriodicChecksRunner periodic;
    private readonly AlertEngine engine;
    private readonly HostTable? mergedHosts;
    private readonly TrafficOptions traffic;
    private readonly List<CaptureError> errors = [];
    private readonly Stopwatch elapsed = new();
    private TickMerger? merger;
    private long completedBytes;
    private AnalysisSummary? summary;

    /// <param name="inspectors">Makes one application inspector per worker (null: no application detection).</param>
    public Analyzer(AnalysisOptions options, IEnumerable<Check> checks, AlertEngine engine, Func<IFlowInspector>? inspectors = null)
    {
        if (options.Workers < 1)
            throw new ArgumentOutOfRangeException(nameof(options), "at least one worker");
        this.engine = engine;
        traffic = options.Traffic;
        networks = new LocalNetworks(options.LocalNetworks);
        var checkList = checks.ToList();
        periodic = new PeriodicChecksRunner(checkList, engine, options.Interface, networks);
        bool single = options.Workers == 1;
        // flows.max bounds the analysis, not each worker: several share one budget, whichever holds the flows (with
        // local networks, every flow of a busy local host is on one worker).
        var flowBudget = single ? null : new FlowBudget(traffic.MaxFlows);
        // One worker forgets its hosts itself; several feed a merged table that does it.
        workers = [.. Enumerable.Range(0, options.Workers).Select(i => new Worker(i, options.Workers, options, networks, checkList, engine,
            inspectors?.Invoke() ?? NoInspection.Instance, single ? periodic.HostRemoved : null, WorkerTick, flowBudget))];
        if (!single)
        {
            mergedHosts = new HostTable(traffic.MaxHosts, networks);
            foreach (var w in workers)
                w.Traffic.Hosts.TrackChanges = true;
        }
    }

    /// <summary>Decoding of every packet so far (every worker decodes them all; the first one's count is reported).</summary>
    public DecodeStats DecodeStats => workers[0].DecodeStats;

    /// <summary>Capture bytes read so far over every capture, for progress display (safe from another thread).</summary>
    public long BytesRead => Volatile.Read(ref completedBytes) + workers[0].Position;

    private bool Single => mergedHosts is null;

    private PeriodicClock Clock => workers[0].Clock;

    /// <summary>
    /// Reads a whole capture; <paramref name="open"/> opens it once per worker. Returns the packets read and, when
    /// the capture stopped early, its error (what was read before it is kept).
    /// </summary>
    public CaptureRun Run(Func<ICaptureReader> open, CancellationToken cancellation = default)
    {
        if (summary is not null)
            throw new InvalidOperationException("the analysis is closed");
        elapsed.Start();
        long before = workers[0].Packets;
        CaptureError? error;
        long length = 0;
        try
        {
            error = ReadEverywhere(open, cancellation, out length);
        }
        finally
        {
            elapsed.Stop();
            Volatile.Write(ref completedBytes, completedBytes + length);
        }
        if (error is not null)
            errors.Add(error);
        return new CaptureRun(workers[0].Packets - before, error);
    }

    /// <summary>
    /// Worker 0 reads on the calling thread, the others (if any) on threads of their own. A failing worker cancels
    /// the others (which may be waiting for it to catch up) and its error is rethrown here.
    /// </summary>
    private CaptureError? ReadEverywhere(Func<ICaptureReader> open, CancellationToken cancellation, out long length)
    {
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        using var ticks = Single ? null : new TickMerger(workers.Length, MergeTick, failed.Token);
        merger = ticks;
        var outcomes = new (CaptureError? Error, long Length, Exception? Failure)[workers.Length];
        void Read(int i)
        {
            try
            {
                using var reader = open();
                try
                {
                    outcomes[i].Error = workers[i].Read(reader, failed.Token);
                }
                finally
                {
                    outcomes[i].Length = reader.Position;
                }
                // Workers that read the same bytes finish together; if they did not (a file still being written,
                // read at different lengths), the others must not wait for this one at a tick. A failed worker does
                // not leave: its failure cancels the others.
                ticks?.Leave(i, workers[i].TakeShare());
            }
            catch (Exception e)
            {
                outcomes[i].Failure = e;
                failed.Cancel();
            }
        }
        var threads = Enumerable.Range(1, workers.Length - 1)
            .Select(i => new Thread(() => Read(i)) { Name = $"tocsin-worker-{i}", IsBackground = true }).ToList();
        threads.ForEach(t => t.Start());
        Read(0);
        threads.ForEach(t => t.Join());
        merger = null;
        if (ticks is not null)
        {
            // Shares no tick ran (a stop, a failure) hold host counts their workers no longer have.
            foreach (var share in ticks.TakeUnmerged())
            {
                foreach (var host in share.Hosts)
                    mergedHosts!.Absorb(host);
            }
        }
        length = outcomes[0].Length;
        // The first real failure, not the cancellations it caused in the others.
        var failure = outcomes.Select(o => o.Failure).FirstOrDefault(e => e is not null and not OperationCanceledException)
            ?? outcomes.Select(o => o.Failure).FirstOrDefault(e => e is not null);
        if (failure is not null)
            ExceptionDispatchInfo.Throw(failure);
        return outcomes[0].Error;
    }

    /// <summary>A worker reached a tick: alone it runs the periodic checks; with others it hands in its share (see <see cref="TickMerger"/>).</summary>
    private void WorkerTick(Worker worker, long nowNs, IReadOnlyList<Granularity> ending)
    {
        if (Single)
            PeriodicTick(nowNs, ending, worker.Traffic.Interface, worker.Traffic.Networks);
        else
            merger!.Arrive(worker.Index, nowNs, ending, worker.TakeShare());
    }

    /// <summary>A tick every worker has handed in: runs the periodic checks on the merge of their shares.</summary>
    private void MergeTick(PendingTick tick)
    {
        var (interfaceCounters, networkCounters) = Merge(tick.Shares.Select(s => s!));
        for (int w = 0; w < workers.Length; w++)
            workers[w].Recycle(tick.Shares[w]!);
        PeriodicTick(tick.NowNs, tick.Ending, interfaceCounters, networkCounters);
    }

    private void PeriodicTick(long nowNs, IReadOnlyList<Granularity> ending, TrafficCounters interfaceCounters, IReadOnlyList<TrafficCounters> networkCounters)
    {
        periodic.NowNs = nowNs;
        foreach (var g in ending)
        {
            if (g == Granularity.Minute)
            {
                periodic.RunHostChecks(Hosts);
                if (Single)
                    workers[0].Traffic.PurgeHosts(nowNs);
                else
                    mergedHosts!.Purge(nowNs, traffic, periodic.HostRemoved);
            }
            periodic.RunThresholds(g, partialPeriod: false, interfaceCounters, networkCounters, Hosts);
        }
    }

    /// <summary>Folds the workers' shares into the merged hosts; returns the interface's and each local network's counters summed over them.</summary>
    private (TrafficCounters Interface, TrafficCounters[] Networks) Merge(IEnumerable<TickShare> shares)
    {
        var total = new TrafficCounters();
        var perNetwork = Enumerable.Range(0, networks.Count).Select(_ => new TrafficCounters()).ToArray();
        foreach (var share in shares)
        {
            foreach (var host in share.Hosts)
                mergedHosts!.Absorb(host);
            total.Add(share.Interface);
            for (int i = 0; i < perNetwork.Length; i++)
                perNetwork[i].Add(share.Networks[i]);
        }
        return (total, perNetwork);
    }

    /// <summary>Runs an end-of-analysis step on every worker, in parallel when there are several.</summary>
    private void OnEveryWorker(Action<Worker> step)
    {
        if (Single)
            step(workers[0]);
        else
            Parallel.ForEach(workers, step);
    }

    /// <summary>The hosts the periodic checks look at: the worker's own, or the workers' merged.</summary>
    private IEnumerable<Host> Hosts => Single ? workers[0].Traffic.Hosts.All : mergedHosts!.All;

    /// <summary>
    /// Ends the analysis at the last packet's time: the partial periods are evaluated, every flow ends, the alerts
    /// still engaged are reported and then released.
    /// </summary>
    public AnalysisSummary Close()
    {
        if (summary is not null)
            return summary;
        elapsed.Start();
        long end = Clock.NowNs;
        IReadOnlyList<Alert> engagedAtEnd = [];
        if (Clock.Started)
        {
            OnEveryWorker(w => w.Traffic.ExpireFlows(end));
            periodic.NowNs = end;
            // The workers have stopped: what they changed since their last tick is folded in here.
            var (interfaceCounters, networkCounters) = Single
                ? (workers[0].Traffic.Interface, workers[0].Traffic.Networks)
                : Merge(workers.Select(w => w.TakeShare()));
            periodic.RunHostChecks(Hosts, partialPeriod: true);
            foreach (var g in Granularities.All)
                periodic.RunThresholds(g, partialPeriod: true, interfaceCounters, networkCounters, Hosts);
            engagedAtEnd = [.. engine.EngagedAlerts.OrderBy(a => a.Tstamp).ThenBy(a => a.Type.Id).ThenBy(a => a.EntityValue, StringComparer.Ordinal)];
            OnEveryWorker(w => w.Traffic.Close(end));
            mergedHosts?.RemoveAll(periodic.HostRemoved);
            engine.ReleaseAll(end / 1_000_000_000);
        }
        elapsed.Stop();
        var decodeStats = DecodeStats;
        summary = new AnalysisSummary
        {
            Packets = workers[0].Packets,
            Bytes = workers[0].Bytes,
            IpPackets = decodeStats.IpPackets,
            FlowPackets = workers.Sum(w => w.Traffic.Interface.Packets),
            UnattributedPackets = workers.Sum(w => w.Traffic.UnattributedPackets),
            Flows = workers.Sum(w => w.Traffic.Interface.Flows),
            FlowsRefused = workers.Sum(w => w.Traffic.Flows.Refused),
            Hosts = mergedHosts?.Created ?? workers[0].Traffic.Hosts.Created,
            HostsRefused = workers.Sum(w => w.Traffic.Hosts.Refused) + (mergedHosts?.Refused ?? 0),
            Decode = decodeStats,
            Alerts = [.. engine.Counts.Select(kv => (kv.Key.Type, kv.Key.Action, kv.Value))
                .OrderBy(x => x.Type.Space).ThenBy(x => x.Type.Id).ThenBy(x => x.Action)],
            EngagedAtEnd = engagedAtEnd,
            CaptureErrors = errors,
            FirstPacketNs = workers[0].FirstPacketNs,
            LastPacketNs = end,
            Elapsed = elapsed.Elapsed,
            Workers = workers.Length,
            FlowsPerWorker = [.. workers.Select(w => w.Traffic.Interface.Flows)],
        };
        return summary;
    }
}

/// <summary>What one capture gave: the packets read and, when it stopped early, why.</summary>
public sealed record CaptureRun(long Packets, CaptureError? Error);
