namespace Tocsin.Notifications;

/// <summary>
/// Requests allowed to one destination, shared by every recipient that sends there: <see cref="RateLimit.Count"/>
/// tokens per period, refilled continuously, at most <see cref="RateLimit.Count"/> saved up. A service that answered
/// "rate limited, retry after N" pauses the bucket for everyone.
/// </summary>
internal sealed class TokenBucket(RateLimit? rate, TimeProvider time)
{
    private readonly Lock gate = new();
    private double tokens = rate?.Count ?? 0;
    private long refilledAt = time.GetTimestamp();
    private DateTimeOffset pausedUntil = DateTimeOffset.MinValue;

    public RateLimit? Rate { get; } = rate;

    /// <summary>Takes a token, waiting for one (and for a pause to end) when needed.</summary>
    public async Task WaitAsync(CancellationToken cancellation)
    {
        while (true)
        {
            TimeSpan wait;
            lock (gate)
            {
                var now = time.GetUtcNow();
                if (now < pausedUntil)
                {
                    wait = pausedUntil - now;
                }
                else if (Rate is not { } r)
                {
                    return;
                }
                else
                {
                    long stamp = time.GetTimestamp();
                    tokens = Math.Min(r.Count, tokens + time.GetElapsedTime(refilledAt, stamp).TotalSeconds * r.PerSecond);
                    refilledAt = stamp;
                    if (tokens >= 1)
                    {
                        tokens -= 1;
                        return;
                    }
                    wait = TimeSpan.FromSeconds((1 - tokens) / r.PerSecond);
                }
            }
            await Task.Delay(wait, time, cancellation).ConfigureAwait(false);
        }
    }

    /// <summary>No request goes out before <paramref name="until"/>.</summary>
    public void PauseUntil(DateTimeOffset until)
    {
        lock (gate)
        {
            if (until > pausedUntil)
                pausedUntil = until;
        }
    }
}
