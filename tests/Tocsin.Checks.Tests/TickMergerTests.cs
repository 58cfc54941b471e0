using Tocsin.Analysis;
using Tocsin.Decode;
using Tocsin.Traffic;

namespace Tocsin.Checks.Tests;

/// <summary>Workers hand in their share of each tick and read on; a tick runs once every worker has handed in.</summary>
public class TickMergerTests
{
    private static readonly Granularity[] Minute = [Granularity.Minute];

    private static TickShare Share(long packets) => new([], new TrafficCounters { Packets = packets }, []);

    private static (TickMerger Merger, List<(long NowNs, long Packets, int Thread)> Ran) Start(int workers, CancellationToken stopping = default)
    {
        var ran = new List<(long, long, int)>();
        var merger = new TickMerger(workers, t => ran.Add((t.NowNs, t.Shares.Sum(s => s!.Interface.Packets), Environment.CurrentManagedThreadId)), stopping);
        return (merger, ran);
    }

    [Fact]
    public void Workers_read_on_past_ticks_and_the_one_ahead_runs_them_in_order()
    {
        var (merger, ran) = Start(2);
        using var _ = merger;
        for (int t = 0; t < TickMerger.MaxAhead; t++)
            merger.Arrive(0, t, Minute, Share(1));   // returns at once: worker 1 has not reached any tick yet
        Assert.Empty(ran);

        // Worker 1 completes ticks 0 to 2 but is behind: it reads on, and the ticks wait for worker 0, which has time.
        merger.Arrive(1, 0, Minute, Share(10));
        merger.Arrive(1, 1, Minute, Share(20));
        merger.Arrive(1, 2, Minute, Share(30));
        Assert.Empty(ran);

        merger.Arrive(0, TickMerger.MaxAhead, Minute, Share(1));
        Assert.Equal([(0L, 11L), (1L, 21L), (2L, 31L)], ran.Select(r => (r.NowNs, r.Packets)));

        // Level with the other, the worker that completes a tick runs it.
        merger.Arrive(1, 3, Minute, Share(40));
        Assert.Equal(3, ran.Count);
        merger.Arrive(1, 4, Minute, Share(50));
        Assert.Equal([(3L, 41L), (4L, 51L)], ran.Skip(3).Select(r => (r.NowNs, r.Packets)));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_worker_too_far_ahead_waits_and_runs_the_tick_that_frees_it()
    {
        var (merger, ran) = Start(2);
        using var _ = merger;
        for (int t = 0; t < TickMerger.MaxAhead; t++)
            merger.Arrive(0, t, Minute, Share(1));

        var ahead = Task.Run(() => merger.Arrive(0, TickMerger.MaxAhead, Minute, Share(1)));
        await Task.Delay(200);
        Assert.False(ahead.IsCompleted);

        int behind = Environment.CurrentManagedThreadId;
        merger.Arrive(1, 0, Minute, Share(1));
        await ahead.WaitAsync(TimeSpan.FromSeconds(10));
        var tick = Assert.Single(ran);
        Assert.NotEqual(behind, tick.Thread);   // run by the waiting worker, not by worker 1
    }

    [Fact]
    public void A_worker_that_left_counts_its_final_counters_and_holds_nothing_up()
    {
        var (merger, ran) = Start(2);
        using var _ = merger;
        merger.Arrive(0, 0, Minute, Share(1));
        merger.Arrive(0, 1, Minute, Share(2));
        Assert.Empty(ran);

        merger.Leave(1, Share(100));
        merger.Arrive(0, 2, Minute, Share(3));
        Assert.Equal([(0L, 101L), (1L, 102L), (2L, 103L)], ran.Select(r => (r.NowNs, r.Packets)));
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

    /// <summary>
    /// A stop (a worker failed) leaves complete and incomplete ticks unrun: their shares come back, so the hosts they
    /// moved out of the workers still reach the merged view when the analysis closes.
    /// </summary>
    [Fact]
    public void Shares_no_tick_ran_are_handed_back_after_a_stop()
    {
        using var stop = new CancellationTokenSource();
        var (merger, ran) = Start(2, stop.Token);
        using var _ = merger;
        merger.Arrive(0, 0, Minute, Share(1));
        merger.Arrive(0, 1, Minute, Share(2));
        merger.Arrive(1, 0, Minute, Share(10));   // tick 0 complete, left for worker 0, which is ahead
        stop.Cancel();
        merger.Leave(0, Share(3));

        Assert.Empty(ran);
        Assert.Equal([1L, 10L, 2L, 3L], merger.TakeUnmerged().Select(s => s.Interface.Packets));
        Assert.Empty(merger.TakeUnmerged());
    }

    /// <summary>A tick whose checks throw is counted as run all the same: later shares still land in their own ticks.</summary>
    [Fact]
    public void A_tick_that_throws_leaves_the_next_ones_in_place()
    {
        var ran = new List<(long NowNs, long Packets)>();
        bool fail = true;
        using var merger = new TickMerger(2, t =>
        {
            if (fail)
            {
                fail = false;
                throw new InvalidOperationException("a check broke");
            }
            ran.Add((t.NowNs, t.Shares.Sum(s => s!.Interface.Packets)));
        }, CancellationToken.None);
        merger.Arrive(0, 0, Minute, Share(1));
        Assert.Throws<InvalidOperationException>(() => merger.Arrive(1, 0, Minute, Share(10)));
        merger.Arrive(0, 1, Minute, Share(2));
        merger.Arrive(1, 1, Minute, Share(20));
        Assert.Equal([(1L, 22L)], ran);
    }

    /// <summary>A worker that leaves early hands in what it counted since its last tick: the next tick merges its hosts, once.</summary>
    [Fact]
    public void The_last_share_of_a_worker_that_left_is_merged_by_the_next_tick_only()
    {
        var hostsMerged = new List<int>();
        using var merger = new TickMerger(2, t => hostsMerged.Add(t.Shares.Sum(s => s!.Hosts.Count)), CancellationToken.None);
        var host = new HostShare(new HostKey(IpAddr.Parse("10.0.0.1"), 0), false, -1, 0, 0, true, default, 1, 0);
        merger.Leave(1, new TickShare([host], new TrafficCounters(), []));
        merger.Arrive(0, 0, Minute, Share(1));
        merger.Arrive(0, 1, Minute, Share(1));
        Assert.Equal([1, 0], hostsMerged);
        Assert.All(merger.TakeUnmerged(), s => Assert.Empty(s.Hosts));
    }
}
