using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tocsin.Alerts;

namespace Tocsin.Notifications;

/// <summary>Tuning of the notification services; the defaults suit production, tests shorten them.</summary>
public sealed record NotificationOptions
{
    /// <summary>Most alerts one round of one recipient takes from its queue before the recipient yields.</summary>
    public int RoundBudget { get; init; } = 1000;

    /// <summary>Alerts the analysis may hand over before publishing waits for the queue writer (never dropped).</summary>
    public int WriterCapacity { get; init; } = 65_536;

    /// <summary>At most one "dropped alerts" system alert per recipient per interval, carrying the count.</summary>
    public TimeSpan DroppedAlertInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>A recipient that keeps failing is logged as a warning at most once per interval.</summary>
    public TimeSpan FailureLogInterval { get; init; } = TimeSpan.FromMinutes(1);

    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>
/// Drains every recipient's durable queue through its endpoint. Each recipient runs one round at a time, on its own
/// task so that a slow one never holds up the others: a round takes up to <see cref="NotificationOptions.RoundBudget"/>
/// alerts and sends them in batches of the endpoint's size, each batch acknowledged (removed) before the next goes.
/// A partial batch waits up to the endpoint's batch delay for company unless the queues are being flushed. On Retry,
/// and on a failure of the endpoint itself (credentials, URL, script: only a config change fixes it), the batch stays
/// at the head and the recipient backs off: the service's Retry-After when given, else exponential from
/// retry_initial to retry_max with jitter. When the service refused the alerts themselves the batch is halved until
/// the rejected alert is alone, then it moves to the dead letters. A token bucket per destination spaces requests,
/// and a 429's Retry-After pauses it for every recipient sending there. Whatever a recipient loses (a full queue's
/// oldest alerts, dead letters beyond their bound) is reported to the others as a system alert.
/// </summary>
public sealed class NotificationDispatcher : BackgroundService
{
    /// <summary>The shortest wait after a failure, even when a service says "retry after 0".</summary>
    private static readonly TimeSpan MinRetryDelay = TimeSpan.FromMilliseconds(50);

    private readonly NotificationQueue queue;
    private readonly NotificationOptions options;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly SemaphoreSlim signal = new(0);
    private readonly CancellationTokenSource abort = new();
    private readonly IReadOnlyDictionary<string, RecipientStats> initial;
    private readonly DropReports drops;
    private volatile bool flushing;

    public NotificationDispatcher(NotificationConfig config, NotificationQueue queue, IHttpClientFactory httpClients,
        ILoggerFactory loggers, NotificationOptions options)
    {
        this.queue = queue;
        this.options = options;
        time = options.Time;
        logger = loggers.CreateLogger<NotificationDispatcher>();
        var senders = config.Recipients.Select(r => (Recipient: r, Sender: CreateSender(r, httpClients, time))).ToList();
        // One bucket per destination, at the strictest rate any endpoint sending there asks for.
        var buckets = senders.GroupBy(s => s.Sender.Destination, StringComparer.Ordinal).ToDictionary(
            g => g.Key,
            g => new TokenBucket(g.Select(s => s.Recipient.Endpoint.Delivery.RateLimit).Where(r => r is not null).MinBy(r => r!.Value.PerSecond), time),
            StringComparer.Ordinal);
        var lanes = senders.Select(s => new RecipientLane(s.Recipient, queue.Register(s.Recipient.Name, s.Recipient.QueueSize), s.Sender,
            Redactor(s.Recipient, s.Sender), buckets[s.Sender.Destination])).ToList();
        Lanes = lanes;
        initial = lanes.ToDictionary(l => l.Name, l => l.Queue.Stats());
        drops = new DropReports(queue, lanes, options.DroppedAlertInterval, logger, Notify);
        foreach (var orphan in queue.Unregistered())
        {
            logger.LogWarning("Recipient {Name} is no longer configured but has {Queued} queued alerts and {Dead} dead letters in {Path}: they wait for it",
                orphan.Name, orphan.Queued, orphan.DeadLetters, queue.Path);
        }
    }

    public IReadOnlyList<RecipientLane> Lanes { get; }

    public NotificationQueue Queue => queue;

    /// <summary>Called with every system alert raised about lost alerts, e.g. to store it.</summary>
    public event Action<Alert>? SystemAlertRaised
    {
        add => drops.Raised += value;
        remove => drops.Raised -= value;
    }

    /// <summary>A sender for <paramref name="recipient"/> (also used by `tocsin recipients test`).</summary>
    public static IEndpointSender CreateSender(RecipientConfig recipient, IHttpClientFactory httpClients, TimeProvider time) =>
        recipient.Endpoint.Type.CreateSender(new EndpointContext
        {
            RecipientName = recipient.Name,
            Endpoint = recipient.Endpoint,
            RecipientParameters = recipient.Parameters,
            HttpClients = httpClients,
            Time = time,
        });

    /// <summary>Everything that must never appear in text the dispatcher writes for this recipient.</summary>
    public static SecretRedactor Redactor(RecipientConfig recipient, IEndpointSender sender) =>
        new(recipient.Endpoint.Parameters.Secrets.Concat(recipient.Parameters.Secrets).Concat(sender.DerivedSecrets));

    /// <summary>Sends one batch and redacts the answer; an exception the endpoint did not expect counts as a server error to retry.</summary>
    public static async Task<DeliveryResult> SendAsync(IEndpointSender sender, SecretRedactor redactor, IReadOnlyList<Notification> batch,
        CancellationToken cancellation)
    {
        DeliveryResult result;
        try
        {
            result = await sender.SendAsync(batch, cancellation).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellation.IsCancellationRequested)
        {
            result = DeliveryResult.Retry(FailureKind.ServerError, $"unexpected {e.GetType().Name}: {e.Message}");
        }
        return result.Redacted(redactor.Redact);
    }

    /// <summary>New alerts are in <paramref name="lane"/>'s queue.</summary>
    public void Notify(RecipientLane lane)
    {
        lane.MarkWaiting(time.GetUtcNow());
        Wake();
    }

    /// <summary>An enqueue dropped the <paramref name="count"/> oldest alerts of <paramref name="recipient"/>'s full queue.</summary>
    internal void Overflowed(RecipientQueue recipient, long count)
    {
        drops.Add(recipient, count, 0);
        Wake();
    }

    /// <summary>
    /// Sends partial batches at once from now on and waits until every queue is empty or <paramref name="timeout"/>
    /// passes. Returns true when everything was delivered (or rejected for good).
    /// </summary>
    public async Task<bool> DrainAsync(TimeSpan timeout, CancellationToken cancellation = default)
    {
        flushing = true;
        Wake();
        long start = time.GetTimestamp();
        while (true)
        {
            if (Lanes.All(l => l.Queue.Queued == 0 && !l.Running) && !drops.Unreported)
                return true;
            var left = timeout - time.GetElapsedTime(start);
            if (left <= TimeSpan.Zero)
                return false;
            await Task.Delay(left < TimeSpan.FromMilliseconds(20) ? left : TimeSpan.FromMilliseconds(20), time, cancellation).ConfigureAwait(false);
        }
    }

    /// <summary>Cumulative figures per recipient (from the database, updated live).</summary>
    public IReadOnlyList<RecipientStats> Stats() => [.. Lanes.Select(l => l.Queue.Stats())];

    /// <summary>What this process did per recipient since it started (queued: current).</summary>
    public IReadOnlyList<RecipientStats> RunStats() => [.. Lanes.Select(l => l.Queue.Stats().Since(initial[l.Name]))];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        int start = 0;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var now = time.GetUtcNow();
                // While flushing nothing waits, reports of lost alerts included.
                ReportDrops(now, final: flushing);
                TimeSpan? wait = drops.NextDue(now);
                // Rotate the starting recipient so none is always served first.
                for (int k = 0; k < Lanes.Count; k++)
                {
                    var lane = Lanes[(start + k) % Lanes.Count];
                    if (lane.Due(flushing) is not { } due)
                        continue;
                    if (due <= now)
                    {
                        if (lane.TryStart())
                            lane.Round = Task.Run(() => RunRoundAsync(lane, stoppingToken), CancellationToken.None);
                    }
                    else if (wait is null || due - now < wait)
                    {
                        wait = due - now;
                    }
                }
                start = Lanes.Count == 0 ? 0 : (start + 1) % Lanes.Count;
                await signal.WaitAsync(wait ?? Timeout.InfiniteTimeSpan, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the rounds finish their batch in flight and stop.
        }
        await Task.WhenAll(Lanes.Select(l => l.Round)).ConfigureAwait(false);
        ReportDrops(time.GetUtcNow(), final: true);
    }

    private void ReportDrops(DateTimeOffset now, bool final)
    {
        try
        {
            drops.Report(now, final);
        }
        catch (SqliteException e)
        {
            // The losses stay counted and are reported at the next interval.
            logger.LogError("Reporting dropped alerts failed: {Error}", e.Message);
        }
    }

    /// <summary>Stops starting batches; a batch in flight may finish until <paramref name="cancellationToken"/> fires, then is abandoned (and sent again next time).</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        using var registration = cancellationToken.Register(abort.Cancel);
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    public override void Dispose()
    {
        foreach (var lane in Lanes)
            lane.Sender.DisposeAsync().AsTask().GetAwaiter().GetResult();
        abort.Dispose();
        signal.Dispose();
        base.Dispose();
    }

    private async Task RunRoundAsync(RecipientLane lane, CancellationToken stopping)
    {
        try
        {
            var rows = queue.Peek(lane.Queue, options.RoundBudget);
            int i = 0, limit = lane.BatchSize;
            while (i < rows.Count && !stopping.IsCancellationRequested)
            {
                int n = Math.Min(limit, rows.Count - i);
                var batch = rows.GetRange(i, n);
                await lane.Bucket.WaitAsync(stopping).ConfigureAwait(false);
                var result = await SendAsync(lane.Sender, lane.Redactor, batch, abort.Token).ConfigureAwait(false);
                var now = time.GetUtcNow();
                if (result.IsDelivered)
                {
                    queue.Acknowledge(lane.Queue, batch, now);
                    Recovered(lane, now);
                    i += n;
                }
                else if (!result.RejectsBatch)
                {
                    // The alerts are fine, the service or its configuration is not: they wait at the head, in order.
                    Backoff(lane, result, now);
                    return;
                }
                else if (n > 1)
                {
                    // Halve until the rejected alert is alone, delivering the others around it.
                    limit = (n + 1) / 2;
                    logger.LogDebug("Recipient {Name}: batch of {Count} rejected ({Reason}), trying {Limit}", lane.Name, n, result.Text, limit);
                }
                else
                {
                    if (queue.DeadLetter(lane.Queue, batch[0], result.Kind!.Value, result.Text, now) is var trimmed and > 0)
                        drops.Add(lane.Queue, 0, trimmed);
                    Log(lane, now, "Recipient {Name}: alert rejected for good and kept as a dead letter ({Kind}: {Reason})",
                        lane.Name, result.Kind!.Value.Name(), result.Text);
                    i += 1;
                    // The halving only served to find this alert: the ones after it go in full batches again.
                    limit = lane.BatchSize;
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested || abort.IsCancellationRequested)
        {
            // Stopping: what was not acknowledged stays queued.
        }
        catch (Exception e)
        {
            // The queue itself failed (disk full, database locked too long): try again later, nothing is lost.
            logger.LogError("Recipient {Name}: delivery round failed: {Error}", lane.Name, lane.Redactor.Redact(e.Message));
            lane.NotBefore = time.GetUtcNow() + lane.Delivery.RetryInitial;
        }
        finally
        {
            queue.Settle(lane.Queue);
            if (lane.Queue.Queued == 0)
                lane.ClearWaiting();
            lane.Finish();
            Wake();
        }
    }

    private void Backoff(RecipientLane lane, DeliveryResult result, DateTimeOffset now)
    {
        if (lane.ConsecutiveFailures++ == 0)
            lane.FailingSince = now;
        TimeSpan delay;
        if (result.After is { } after)
        {
            delay = after < MinRetryDelay ? MinRetryDelay : after;
            if (result.Kind == FailureKind.RateLimited)
                lane.Bucket.PauseUntil(now + delay);
        }
        else
        {
            delay = BackoffDelay(lane.Delivery, lane.ConsecutiveFailures);
        }
        lane.NotBefore = now + delay;
        queue.RecordRetry(lane.Queue, result.Kind!.Value, result.Text, now);
        Log(lane, now, result.Outcome == DeliveryOutcome.Failed
                ? "Recipient {Name}: the endpoint refuses every alert ({Kind}: {Reason}); they stay queued until its configuration is fixed, attempt {Attempt}, retrying in {Delay}"
                : "Recipient {Name}: delivery failed ({Kind}: {Reason}), attempt {Attempt}, retrying in {Delay}",
            lane.Name, result.Kind!.Value.Name(), result.Text, lane.ConsecutiveFailures, Durations.Format(Rounded(delay)));
    }

    /// <summary>retry_initial × 2^(failures-1), at most retry_max, then "equal jitter": between half and all of it.</summary>
    public static TimeSpan BackoffDelay(DeliverySettings settings, int failures)
    {
        double exponential = settings.RetryInitial.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 40));
        double capped = Math.Min(exponential, settings.RetryMax.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped / 2 + Random.Shared.NextDouble() * capped / 2);
    }

    private void Recovered(RecipientLane lane, DateTimeOffset now)
    {
        if (lane.ConsecutiveFailures == 0)
            return;
        logger.LogInformation("Recipient {Name}: delivering again after {Failures} failed attempts over {Duration}",
            lane.Name, lane.ConsecutiveFailures, Durations.Format(Rounded(now - lane.FailingSince)));
        lane.ConsecutiveFailures = 0;
        lane.LastWarning = DateTimeOffset.MinValue;
    }

    /// <summary>A warning at most once per interval per recipient, debug otherwise: a dead service must not flood the log.</summary>
    private void Log(RecipientLane lane, DateTimeOffset now, string message, params object?[] args)
    {
        bool warn = now - lane.LastWarning >= options.FailureLogInterval;
        if (warn)
            lane.LastWarning = now;
        logger.Log(warn ? LogLevel.Warning : LogLevel.Debug, message, args);
    }

    /// <summary>To the millisecond below a second, to the second above: for logs.</summary>
    private static TimeSpan Rounded(TimeSpan t) =>
        t < TimeSpan.FromSeconds(1) ? TimeSpan.FromMilliseconds(Math.Round(t.TotalMilliseconds)) : TimeSpan.FromSeconds(Math.Round(t.TotalSeconds));

    private void Wake()
    {
        if (signal.CurrentCount == 0)
            signal.Release();
    }
}
