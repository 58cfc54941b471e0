namespace Tocsin.Traffic.Tests;

public class DistinctCounterTests
{
    [Fact]
    public void Small_sets_are_counted_exactly()
    {
        var c = new DistinctCounter();
        for (ulong i = 0; i < DistinctCounter.ExactLimit; i++)
        {
            c.Add(i);
            c.Add(i);
        }
        Assert.True(c.IsExact);
        Assert.Equal(DistinctCounter.ExactLimit, c.Count);
    }

    [Theory]
    [InlineData(1_000)]
    [InlineData(20_000)]
    public void Large_sets_are_estimated_within_a_few_percent(int n)
    {
        var c = new DistinctCounter();
        for (int i = 0; i < n; i++)
            c.Add((ulong)i * 7919);
        Assert.False(c.IsExact);
        Assert.InRange(c.Count, n * 0.9, n * 1.1);
    }

    [Fact]
    public void Clear_starts_a_new_interval_in_the_memory_it_has()
    {
        var c = new DistinctCounter();
        for (ulong i = 0; i < 500; i++)
            c.Add(i);
        c.Clear();
        Assert.Equal(0, c.Count);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (ulong i = 0; i < 500; i++)
            c.Add(i);
        c.Clear();
        c.Add(42);
        c.Add(42);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(1, c.Count);
        Assert.True(c.IsExact);
    }
}
