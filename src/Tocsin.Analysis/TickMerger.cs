using Tocsin.Checks;
using Tocsin.Traffic;

namespace Tocsin.Analysis;

/// <summary>What one worker adds to the merged view at a tick: the hosts it changed, and its counters at that time.</summary>
internal sealed record TickShare(List<HostShare> Hosts, TrafficCounters Interface, TrafficCounters[] Networks);

/// <summary>One tick as the workers hand it in: its time, the granularities ending there, each worker's share (null until it arrives).</summary>
internal sealed class PendingTick(int workers)
{
    public long NowNs { get; set; }

    public Granularity[] Ending { get; set; } = [];

    public TickShare?[] Shares { get; } = new TickShare?[workers];
}

/// <summary>
/// Where several workers meet at each tick without stopping: each hands in its share of the tick and reads on. A
/// complete tick (the merge and the periodic checks) is run, ticks in order, by the worker furthest ahead, the one
/// with time to spare: run by the worker that completed it, the slowest, it held that one back further. With a
/// barrier instead, the faster worker idled at every minute until the slower one caught up (a tenth of the analysis
/// on the benchmark). A worker <see cref="MaxAhead"/> ticks ahead of the slowest waits, and runs the ticks that
/// complete meanwhile; this bounds the shares held. Every worker meets the same ticks in the same order, so the
/// n-th share of each is of the same tick. Shares never run (the analysis stopped early) are handed back by
/// <see cref="TakeUnmerged"/>: what they moved out of the workers' hosts must still reach the merged view.
/// </summary>
internal sealed class TickMerger : IDisposable
{
    internal const int MaxAhead = 4;

    // Monitor rather than Lock: a worker too far ahead waits on it.
    private readonly object gate = new();
    private readonly Action<PendingTick> run;
    private readonly CancellationToken stopping;
    private readonly CancellationTokenRegistration wakeOnStop;
    private readonly long[] arrived;
    private readonly TickShare?[] final;
    private readonly List<PendingTick> pending = [];
    private long completed;

    /// <param name="run">Runs a complete tick, under the merger's lock (one tick at a time, in order).</param>
    public TickMerger(int workers, Action<PendingTick> run, CancellationToken stopping)
    {
        this.run = run;
        this.stopping = stopping;
        arrived = new long[workers];
        final = new TickShare?[workers];
        wakeOnStop = stopping.Register(() =>
        {
            lock (gate)
                Monitor.PulseAll(gate);
        });
    }

    /// <summary>Hands in <paramref name="worker"/>'s share of its next tick; waits only when it is too far ahead.</summary>
    public void Arrive(int worker, long nowNs, IReadOnlyList<Granularity> ending, TickShare share)
    {
        lock (gate)
        {
            long seq = arrived[worker]++;
            int offset = (int)(seq - completed);
            while (pending.Count <= offset)
                pending.Add(new PendingTick(arrived.Length) { NowNs = nowNs, Ending = [.. ending] });
            // Handed in before any wait, so that a stop while waiting leaves it with the other unmerged shares.
            pending[offset].Shares[worker] = share;
            if (IsFurthestAhead(worker))
            {
                while (RunNext())
                {
                }
            }
            else
            {
                // A worker further ahead may be waiting with nothing to run until now.
                Monitor.PulseAll(gate);
            }
            // Too far ahead: wait for the slowest, running what completes meanwhile (this worker has the time).
            while (seq - completed >= MaxAhead && !stopping.IsCancellationRequested)
            {
                if (!RunNext())
                    Monitor.Wait(gate);
            }
            stopping.ThrowIfCancellationRequested();
        }
    }

    /// <summary>
    /// <paramref name="worker"/> has read all it will and hands in what it changed since its last tick. Later ticks
    /// count that share in its place (its hosts once, its counters every time) and do not wait for it: workers
    /// reading the same bytes leave together, but one that read less must not hold the others up.
    /// </summary>
    public void Leave(int worker, TickShare last)
    {
        lock (gate)
        {
            final[worker] = last;
            // Done reading: this worker has the time for what is complete (the last to leave runs every tick left).
            while (RunNext())
            {
            }
            Monitor.PulseAll(gate);
        }
    }

    /// <summary>
    /// Once every worker has stopped: the shares no tick ran (the analysis was stopped or a worker failed), and the
    /// hosts of last shares no later tick took, in order. Their hosts must still be merged; nothing here runs again.
    /// </summary>
    public List<TickShare> TakeUnmerged()
    {
        lock (gate)
        {
            var left = pending.SelectMany(t => t.Shares).OfType<TickShare>().Concat(final.OfType<TickShare>()).ToList();
            pending.Clear();
            Array.Clear(final);
            return left;
        }
    }

    public void Dispose() => wakeOnStop.Dispose();

    /// <summary>Runs the oldest tick if it is complete; false when there is none.</summary>
    private bool RunNext()
    {
        if (pending.Count == 0 || stopping.IsCancellationRequested || !IsComplete(pending[0]))
            return false;
        var tick = pending[0];
        pending.RemoveAt(0);
        // Counted before it runs: if it throws, the shares handed in later still land in their own ticks.
        completed++;
        for (int w = 0; w < final.Length; w++)
        {
            if (tick.Shares[w] is null)
            {
                // A worker that left: its last share stands in, its hosts merged once.
                tick.Shares[w] = final[w];
                final[w] = final[w]! with { Hosts = [] };
            }
        }
        run(tick);
        Monitor.PulseAll(gate);
        return true;
    }

    private bool IsComplete(PendingTick tick)
    {
        for (int w = 0; w < final.Length; w++)
        {
            if (tick.Shares[w] is null && final[w] is null)
                return false;
        }
        return true;
    }

    /// <summary>No worker still reading has handed in more ticks than <paramref name="worker"/>.</summary>
    private bool IsFurthestAhead(int worker)
    {
        for (int w = 0; w < arrived.Length; w++)
        {
            if (final[w] is null && arrived[w] > arrived[worker])
                return false;
        }
        return true;
    }
}
