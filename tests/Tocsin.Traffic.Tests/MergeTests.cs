namespace Tocsin.Traffic.Tests;

/// <summary>Counters of one host seen by several workers merge into exactly what one worker would count.</summary>
public class MergeTests
{
    private const long Minute = 1_700_000_040L * 1_000_000_000;   // a minute boundary

    [Theory]
    [InlineData(10, 20)]
    [InlineData(40, 60)]
    [InlineData(2000, 3000)]
    public void Distinct_counters_merge_as_if_one_had_seen_everything(int splitAt, int total)
    {
        var one = new DistinctCounter();
        var a = new DistinctCounter();
        var b = new DistinctCounter();
        for (int i = 0; i < total; i++)
        {
            one.Add((ulong)i);
            // Overlapping halves: values around the split are seen by both.
            if (i < splitAt + 5)
                a.Add((ulong)i);
            if (i >= splitAt - 5)
                b.Add((ulong)i);
        }
        a.Add(b);
        Assert.Equal(one.Count, a.Count);
        Assert.Equal(one.IsExact, a.IsExact);
    }

    [Fact]
    public void Peak_rates_merge_second_by_second()
    {
        var rng = new Random(7);
        var one = new PeakRate();
        var a = new PeakRate();
        var b = new PeakRate();
        for (int i = 0; i < 5000; i++)
        {
            long t = Minute + (long)(i * (59.0 / 5000) * 1e9);
            one.Add(t);
            if (rng.Next(3) == 0)
                a.Add(t);
            else
                b.Add(t);
        }
        Assert.True(a.Peak < one.Peak && b.Peak < one.Peak);
        a.Add(b);
        Assert.Equal(one.Peak, a.Peak);
    }

    [Fact]
    public void Merging_into_an_empty_rate_copies_it_and_clearing_forgets_it()
    {
        var a = new PeakRate();
        var b = new PeakRate();
        for (int i = 0; i < 7; i++)
            b.Add(Minute + 3_000_000_000 + i);
        a.Add(b);
        Assert.Equal(7, a.Peak);
        a.Clear();
        a.Add(Minute + 3_500_000_000);
        Assert.Equal(1, a.Peak);
    }

    [Fact]
    public void Host_intervals_add_up()
    {
        var a = new HostInterval();
        var b = new HostInterval();
        a.Counts.BytesSent = 10;
        a.Counts.SynSent = 2;
        b.Counts.BytesSent = 5;
        b.Counts.SynAckReceived = 1;
        a.Peers.Add(1);
        b.Peers.Add(1);
        b.Peers.Add(2);
        a.SynSentRate.Add(Minute);
        b.SynSentRate.Add(Minute + 1);
        a.Add(b);
        Assert.Equal(15, a.Counts.BytesSent);
        Assert.Equal(2, a.Counts.SynSent);
        Assert.Equal(1, a.Counts.SynAckReceived);
        Assert.Equal(2, a.Peers.Count);
        Assert.Equal(2, a.SynSentRate.Peak);
    }
}
