using Tocsin.Checks;

namespace Tocsin.Analysis;

/// <summary>
/// Drives periodic work from packet timestamps, so a capture gives the same alerts on every run and machine.
/// Ticks fall on UTC boundaries of each granularity (every minute, 5 minutes, hour, day). When the capture has
/// a gap, the empty periods in it are evaluated once (which releases what no longer holds) and then skipped.
/// Housekeeping (flow expiry) runs every second of packet time. Time never goes backwards.
/// </summary>
public sealed class PeriodicClock
{
    private const long Second = 1_000_000_000;

    private readonly long[] due = new long[Granularities.All.Count];
    private readonly List<Granularity> dueNow = new(Granularities.All.Count);
    private readonly Action<long> housekeeping;
    private readonly Action<long, IReadOnlyList<Granularity>> tick;
    private long housekeepingDue;

    /// <param name="housekeeping">Runs with the current time about once per second of packet time.</param>
    /// <param name="tick">Runs at each boundary with its time and the granularities ending there (shortest first).</param>
    public PeriodicClock(Action<long> housekeeping, Action<long, IReadOnlyList<Granularity>> tick)
    {
        this.housekeeping = housekeeping;
        this.tick = tick;
    }

    public bool Started { get; private set; }

    /// <summary>The latest packet time seen.</summary>
    public long NowNs { get; private set; }

    /// <summary>Moves the clock to <paramref name="timestampNs"/>, first running every job that falls due before it.</summary>
    public void Advance(long timestampNs)
    {
        if (!Started)
        {
            Started = true;
            NowNs = timestampNs;
            housekeepingDue = timestampNs + Second;
            for (int i = 0; i < due.Length; i++)
                due[i] = AlignDown(timestampNs, Granularities.All[i]) + Period(Granularities.All[i]);
            return;
        }
        if (timestampNs <= NowNs)
            return;
        long previous = NowNs;
        while (true)
        {
            long t = long.MaxValue;
            foreach (var d in due)
                t = Math.Min(t, d);
            if (t > timestampNs)
                break;
            dueNow.Clear();
            for (int i = 0; i < due.Length; i++)
            {
                if (due[i] == t)
                    dueNow.Add(Granularities.All[i]);
            }
            NowNs = t;
            tick(t, dueNow);
            for (int i = 0; i < due.Length; i++)
            {
                if (due[i] != t)
                    continue;
                long period = Period(Granularities.All[i]);
                bool hadPackets = previous >= t - period;
                due[i] = hadPackets ? t + period : Math.Max(t + period, AlignDown(timestampNs, Granularities.All[i]) + period);
            }
        }
        NowNs = timestampNs;
        if (timestampNs >= housekeepingDue)
        {
            housekeeping(timestampNs);
            housekeepingDue = timestampNs + Second;
        }
    }

    private static long Period(Granularity g) => g.Seconds() * Second;

    private static long AlignDown(long ns, Granularity g)
    {
        long p = Period(g);
        long r = ns % p;
        return r < 0 ? ns - r - p : ns - r;
    }
}
