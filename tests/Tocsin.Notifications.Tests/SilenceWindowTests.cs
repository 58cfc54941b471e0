namespace Tocsin.Notifications.Tests;

public sealed class SilenceWindowTests
{
    [Fact]
    public void Many_live_keys_are_swept_a_logarithmic_number_of_times_not_per_alert()
    {
        var window = new SilenceWindow(windowSeconds: 3600);
        int keys = SilenceWindow.MinSweepSize * 4;
        for (int i = 0; i < keys; i++)
            Assert.False(window.Silenced($"k{i}", 1000));
        // Nothing expires within the hour: a fixed threshold would sweep once per key past it (3 * MinSweepSize
        // times); doubling sweeps at MinSweepSize and 2 * MinSweepSize only.
        Assert.Equal(2, window.Sweeps);
        Assert.Equal(keys, window.Count);
        Assert.True(window.Silenced("k0", 1001));
        Assert.True(window.Silenced($"k{keys - 1}", 1001));
    }

    [Fact]
    public void A_sweep_drops_expired_keys_and_keeps_live_ones_silenced()
    {
        var window = new SilenceWindow(windowSeconds: 60);
        for (int i = 0; i < SilenceWindow.MinSweepSize - 1; i++)
            window.Silenced($"old{i}", 0);
        window.Silenced("recent", 50);
        Assert.False(window.Silenced("new", 60));
        Assert.Equal(1, window.Sweeps);
        Assert.Equal(2, window.Count);                   // "recent" and "new": every "old" one had expired
        Assert.True(window.Silenced("recent", 100));
        Assert.True(window.Silenced("new", 119));
        Assert.False(window.Silenced("new", 120));
    }
}
