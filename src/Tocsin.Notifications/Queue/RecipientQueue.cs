namespace Tocsin.Notifications;

/// <summary>Per-recipient figures: live for a running queue, cumulative across runs in the database.</summary>
public sealed record RecipientStats
{
    public required string Name { get; init; }

    /// <summary>Alerts waiting for delivery.</summary>
    public long Queued { get; init; }

    /// <summary>Alerts the endpoint acknowledged.</summary>
    public long Delivered { get; init; }

    /// <summary>Failed attempts that were (or will be) tried again.</summary>
    public long Retries { get; init; }

    /// <summary>Alerts dropped because the queue was full (oldest first).</summary>
    public long Dropped { get; init; }

    /// <summary>Alerts the endpoint rejected for good; kept as dead letters until requeued.</summary>
    public long Failed { get; init; }

    /// <summary>Rejected alerts still kept (<c>tocsin recipients requeue</c> puts them back).</summary>
    public long DeadLetters { get; init; }

    public DateTimeOffset? LastSuccess { get; init; }

    public DateTimeOffset? LastErrorTime { get; init; }

    public FailureKind? LastErrorKind { get; init; }

    public string? LastError { get; init; }

    /// <summary>These figures minus <paramref name="before"/>'s counters: what one run did (queued stays current).</summary>
    public RecipientStats Since(RecipientStats before) => this with
    {
        Delivered = Delivered - before.Delivered,
        Retries = Retries - before.Retries,
        Dropped = Dropped - before.Dropped,
        Failed = Failed - before.Failed,
    };
}

/// <summary>
/// One recipient's queue in a <see cref="NotificationQueue"/>: its id in the database, its bound, and live counters.
/// The dispatcher marks what it has taken in flight so an overflow never drops a batch being sent.
/// </summary>
public sealed class RecipientQueue
{
    private long queued;
    private long inFlightUpTo;
    private long delivered;
    private long retries;
    private long dropped;
    private long failed;
    private long deadLetters;
    private readonly Lock statusGate = new();
    private DateTimeOffset? lastSuccess;
    private DateTimeOffset? lastErrorTime;
    private FailureKind? lastErrorKind;
    private string? lastError;

    internal RecipientQueue(int id, RecipientStats stored, int capacity)
    {
        Id = id;
        Name = stored.Name;
        Capacity = capacity;
        queued = stored.Queued;
        delivered = stored.Delivered;
        retries = stored.Retries;
        dropped = stored.Dropped;
        failed = stored.Failed;
        deadLetters = stored.DeadLetters;
        lastSuccess = stored.LastSuccess;
        lastErrorTime = stored.LastErrorTime;
        lastErrorKind = stored.LastErrorKind;
        lastError = stored.LastError;
    }

    public int Id { get; }

    public string Name { get; }

    /// <summary>Most alerts kept waiting.</summary>
    public int Capacity { get; }

    public long Queued => Interlocked.Read(ref queued);

    /// <summary>Serializes the dispatcher's read of the head with an overflow's deletion of the oldest rows.</summary>
    internal Lock Gate { get; } = new();

    /// <summary>Highest seq the dispatcher has read and not settled; overflow only drops rows after it.</summary>
    internal long InFlightUpTo
    {
        get => Interlocked.Read(ref inFlightUpTo);
        set => Interlocked.Exchange(ref inFlightUpTo, value);
    }

    public RecipientStats Stats()
    {
        lock (statusGate)
        {
            return new RecipientStats
            {
                Name = Name,
                Queued = Queued,
                Delivered = Interlocked.Read(ref delivered),
                Retries = Interlocked.Read(ref retries),
                Dropped = Interlocked.Read(ref dropped),
                Failed = Interlocked.Read(ref failed),
                DeadLetters = Interlocked.Read(ref deadLetters),
                LastSuccess = lastSuccess,
                LastErrorTime = lastErrorTime,
                LastErrorKind = lastErrorKind,
                LastError = lastError,
            };
        }
    }

    internal void Added(long n) => Interlocked.Add(ref queued, n);

    internal void Overflowed(long n)
    {
        Interlocked.Add(ref queued, -n);
        Interlocked.Add(ref dropped, n);
    }

    internal void DeadLettersDropped(long n)
    {
        Interlocked.Add(ref deadLetters, -n);
        Interlocked.Add(ref dropped, n);
    }

    internal void Acknowledged(long n, DateTimeOffset now)
    {
        Interlocked.Add(ref queued, -n);
        Interlocked.Add(ref delivered, n);
        lock (statusGate)
            lastSuccess = now;
    }

    internal void Rejected(FailureKind kind, string reason, DateTimeOffset now)
    {
        Interlocked.Decrement(ref queued);
        Interlocked.Increment(ref failed);
        Interlocked.Increment(ref deadLetters);
        Error(kind, reason, now);
    }

    internal void Retried(FailureKind kind, string reason, DateTimeOffset now)
    {
        Interlocked.Increment(ref retries);
        Error(kind, reason, now);
    }

    internal void Requeued(long n)
    {
        Interlocked.Add(ref deadLetters, -n);
        Interlocked.Add(ref queued, n);
    }

    private void Error(FailureKind kind, string reason, DateTimeOffset now)
    {
        lock (statusGate)
        {
            lastErrorTime = now;
            lastErrorKind = kind;
            lastError = reason;
        }
    }
}
