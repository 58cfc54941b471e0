using Tocsin.Analysis;

namespace Tocsin.Checks.Tests;

public class PeriodicClockTests
{
    private const long S = 1_000_000_000;
    private const long T0 = 1_704_067_200L * S;   // 2024-01-01 00:00:00 UTC

    private readonly List<string> log = [];
    private readonly PeriodicClock clock;

    public PeriodicClockTests()
    {
        clock = new PeriodicClock(
            now => log.Add($"hk {(now - T0) / S}"),
            (now, gs) => log.Add($"tick {(now - T0) / S} {string.Join(",", gs.Select(g => g.Key()))}"));
    }

    private void At(double seconds) => clock.Advance(T0 + (long)(seconds * S));

    private List<string> Ticks() => log.Where(l => l.StartsWith("tick", StringComparison.Ordinal)).ToList();

    [Fact]
    public void Ticks_fall_on_utc_boundaries_with_every_granularity_ending_there()
    {
        At(10);
        for (int t = 20; t <= 3610; t += 10)
            At(t);
        var ticks = Ticks();
        Assert.Equal("tick 60 min", ticks[0]);
        Assert.Equal("tick 300 min,5min", ticks[4]);
        Assert.Equal("tick 3600 min,5min,hour", ticks[^1]);
        Assert.Equal(60, ticks.Count);
    }

    [Fact]
    public void Housekeeping_runs_about_every_second_of_packet_time()
    {
        for (double t = 0; t <= 5; t += 0.25)
            At(t);
        Assert.Equal(["hk 1", "hk 2", "hk 3", "hk 4", "hk 5"], log.Where(l => l.StartsWith("hk", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_gap_gets_one_empty_tick_then_skips_to_the_current_period()
    {
        At(10);
        At(3 * 3600 + 30);
        Assert.Equal(
            [
                "tick 60 min", "tick 120 min", "tick 300 5min", "tick 600 5min",
                "tick 3600 hour", "tick 7200 hour",
            ],
            Ticks());
        Assert.Equal(T0 + ((3 * 3600) + 30) * S, clock.NowNs);
        log.Clear();
        At(3 * 3600 + 65);
        Assert.Equal(["tick 10860 min"], Ticks());
    }

    [Fact]
    public void Time_never_goes_backwards()
    {
        At(50);
        At(70);
        At(30);
        Assert.Equal(T0 + 70 * S, clock.NowNs);
        At(119);
        Assert.Equal(["tick 60 min"], Ticks());
    }

    [Fact]
    public void Day_ticks_are_at_midnight_utc()
    {
        At(86_399);
        At(86_401);
        Assert.Contains("tick 86400 min,5min,hour,day", Ticks());
    }
}
