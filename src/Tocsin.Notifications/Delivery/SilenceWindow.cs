namespace Tocsin.Notifications;

/// <summary>
/// One recipient's <c>silence_duplicates</c> memory: when each alert key last went out. Expired keys are swept only
/// once the map has grown to twice what the last sweep left (and at least <see cref="MinSweepSize"/>), so each sweep's
/// cost is paid for by the insertions since the previous one: amortised O(1) per alert even when every key is still
/// inside the window, where a fixed threshold would sweep (and scan every key) on every new alert.
/// </summary>
internal sealed class SilenceWindow(long windowSeconds)
{
    /// <summary>Keys held before the first sweep.</summary>
    internal const int MinSweepSize = 16_384;

    private readonly Dictionary<string, long> last = new(StringComparer.Ordinal);
    private int sweepAt = MinSweepSize;

    /// <summary>Sweeps done so far.</summary>
    internal int Sweeps { get; private set; }

    /// <summary>Keys held.</summary>
    internal int Count => last.Count;

    /// <summary>
    /// True when <paramref name="key"/> went out less than the window before <paramref name="eventTime"/> (an event
    /// older than the one remembered is not silenced); otherwise remembers it as sent at <paramref name="eventTime"/>.
    /// </summary>
    internal bool Silenced(string key, long eventTime)
    {
        if (last.TryGetValue(key, out var seen) && eventTime - seen < windowSeconds && eventTime >= seen)
            return true;
        if (last.Count >= sweepAt)
        {
            Sweeps++;
            foreach (var (k, t) in last)
            {
                // Removing the current entry while enumerating is allowed for Dictionary since .NET Core 3.0.
                if (eventTime - t >= windowSeconds)
                    last.Remove(k);
            }
            sweepAt = Math.Max(MinSweepSize, 2 * last.Count);
        }
        last[key] = eventTime;
        return false;
    }
}
