namespace Tocsin.Notifications;

/// <summary>
/// A recipient as the dispatcher drives it: its config, durable queue, sender and secrets, and its delivery state
/// (one round at a time, backoff after failures, when its partial batch started waiting).
/// </summary>
public sealed class RecipientLane
{
    private long waitingSinceTicks;
    private long notBeforeTicks;
    private int running;

    internal RecipientLane(RecipientConfig config, RecipientQueue queue, IEndpointSender sender, SecretRedactor redactor, TokenBucket bucket)
    {
        Config = config;
        Queue = queue;
        Sender = sender;
        Redactor = redactor;
        Bucket = bucket;
        BatchSize = Math.Clamp(config.Endpoint.Delivery.BatchSize, 1, config.Endpoint.Type.Defaults.MaxBatchSize);
    }

    public RecipientConfig Config { get; }

    public string Name => Config.Name;

    public RecipientQueue Queue { get; }

    internal IEndpointSender Sender { get; }

    internal SecretRedactor Redactor { get; }

    internal TokenBucket Bucket { get; }

    internal int BatchSize { get; }

    internal DeliverySettings Delivery => Config.Endpoint.Delivery;

    /// <summary>Failures since the last success (drives the backoff).</summary>
    internal int ConsecutiveFailures { get; set; }

    /// <summary>When the current run of failures started.</summary>
    internal DateTimeOffset FailingSince { get; set; }

    /// <summary>When a failure was last logged as a warning (later ones within the interval go to debug).</summary>
    internal DateTimeOffset LastWarning { get; set; } = DateTimeOffset.MinValue;

    internal Task Round { get; set; } = Task.CompletedTask;

    /// <summary>Alerts queued while a partial batch waits are sent together after <see cref="DeliverySettings.BatchDelay"/>.</summary>
    internal void MarkWaiting(DateTimeOffset now) => Interlocked.CompareExchange(ref waitingSinceTicks, now.UtcTicks, 0);

    internal void ClearWaiting() => Interlocked.Exchange(ref waitingSinceTicks, 0);

    internal DateTimeOffset NotBefore
    {
        get => new(Interlocked.Read(ref notBeforeTicks), TimeSpan.Zero);
        set => Interlocked.Exchange(ref notBeforeTicks, value.UtcTicks);
    }

    internal bool TryStart() => Interlocked.CompareExchange(ref running, 1, 0) == 0;

    internal void Finish() => Volatile.Write(ref running, 0);

    internal bool Running => Volatile.Read(ref running) == 1;

    /// <summary>When the next round may start, or null when there is nothing to do.</summary>
    internal DateTimeOffset? Due(bool flushing)
    {
        if (Running || Queue.Queued == 0)
            return null;
        var due = NotBefore;
        long since = Interlocked.Read(ref waitingSinceTicks);
        if (!flushing && since != 0 && Queue.Queued < BatchSize)
        {
            var full = new DateTimeOffset(since, TimeSpan.Zero) + Delivery.BatchDelay;
            if (full > due)
                due = full;
        }
        return due;
    }
}
