using Tocsin.Analysis;
using Tocsin.Traffic;

namespace Tocsin.Checks.Tests;

/// <summary>Workers hand in their share of each tick and read on; a tick runs once every worker has handed in.</summary>
public class TickMergerTests
{
    private static readonly Granularity[] Minute = [Granularity.Minute];

    private static TickShare Share(long packets) => new([], new TrafficCounters { Packets = packets }, []);

    private static (TickMerger Merger, List<(long NowNs, long Packets)> Ran) Start(int workers, CancellationToken stopping = default)
    {
        var ran = new List<(long, long)>();
        TickMerger? merger = null;
        merger = new TickMerger(workers, t => ran.Add((t.NowNs, t.Shares.Select((s, w) => s ?? merger!.FinalOf(w)!).Sum(s => s.Interface.Packets))), stopping);
        return (merger, ran);
    }

    [Fact]
    public void A_worker_reads_on_past_ticks_and_each_tick_runs_in_order_when_complete()
    {
        var (merger, ran) = Start(2);
        using var _ = merger;
        for (int t = 0; t < TickMerger.MaxAhead; t++)
            merger.Arrive(0, t, Minute, Share(1));   // returns at once: worker 1 has not reached any tick yet
        Assert.Empty(ran);

        merger.Arrive(1, 0, Minute, Share(10));
        Assert.Equal([(0L, 11L)], ran);
        merger.Arrive(1, 1, Minute, Share(20));
        merger.Arrive(1, 2, Minute, Share(30));
        Assert.Equal([(0L, 11L), (1L, 21L), (2L, 31L)], ran);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_worker_too_far_ahead_waits_for_the_slowest()
    {
        var (merger, ran) = Start(2);
        using var _ = merger;
        for (int t = 0; t < TickMerger.MaxAhead; t++)
            merger.Arrive(0, t, Minute, Share(1));

        var ahead = Task.Run(() => merger.Arrive(0, TickMerger.MaxAhead, Minute, Share(1)));
        await Task.Delay(200);
        Assert.False(ahead.IsCompleted);

        merger.Arrive(1, 0, Minute, Share(1));
        await ahead.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Single(ran);
    }

    [Fact]
    public void A_worker_that_left_counts_its_final_counters_and_holds_nothing_up()
    {
        var (merger, ran) = Start(2);
        using var _ = merger;
        merger.Arrive(0, 0, Minute, Share(1));
        merger.Arrive(0, 1, Minute, Share(2));
        Assert.Empty(ran);

        merger.Leave(1, (new TrafficCounters { Packets = 100 }, []));
        merger.Arrive(0, 2, Minute, Share(3));
        Assert.Equal([(0L, 101L), (1L, 102L), (2L, 103L)], ran);
    }

    [Fact(Timeout = 30_000)]
    public async Task Cancelling_wakes_a_waiting_worker()
    {
        using var stop = new CancellationTokenSource();
        var (merger, _) = Start(2, stop.Token);
        using var __ = merger;
        for (int t = 0; t < TickMerger.MaxAhead; t++)
            merger.Arrive(0, t, Minute, Share(1));
        var ahead = Task.Run(() => merger.Arrive(0, TickMerger.MaxAhead, Minute, Share(1)));
        await Task.Delay(100);

        stop.Cancel();
        await Assert.ThrowsAsync<OperationCanceledException>(() => ahead.WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
