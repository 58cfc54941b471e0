using System.Globalization;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tocsin.Alerts;

namespace Tocsin.Notifications;

/// <summary>
/// The alert engine's way into the recipients' queues. <see cref="Publish"/> runs on the analysis thread and only
/// picks the recipients whose filter takes the alert, snapshots its JSON and hands it over (waiting when the hand-over
/// is full: alerts are never dropped here). A background task applies the silence windows and commits what it has in
/// one transaction per pass, then wakes the dispatcher. An alert is durable once that transaction commits: until
/// then (the time to drain the hand-over, normally milliseconds) a crash loses it, as it loses the analysis. A
/// commit the database refuses (locked by another program, disk full) is retried with backoff, the pass kept in hand
/// and the hand-over filling up meanwhile; only the host's stop deadline ends the retries.
/// What a full queue drops goes to the dispatcher, which reports it.
/// </summary>
public sealed class NotificationWriter : BackgroundService, IAlertSink
{
    /// <summary>Most alerts committed in one transaction.</summary>
    private const int MaxPass = 2048;

    /// <summary>First wait after a refused commit, doubled per refusal up to <see cref="MaxCommitRetryDelay"/>.</summary>
    private static readonly TimeSpan FirstCommitRetryDelay = TimeSpan.FromMilliseconds(100);

    private static readonly TimeSpan MaxCommitRetryDelay = TimeSpan.FromSeconds(10);

    private readonly NotificationDispatcher dispatcher;
    private readonly NotificationQueue queue;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly Channel<Pending> pending;
    private readonly Dictionary<RecipientLane, SilenceWindow> silence = [];
    private readonly CancellationTokenSource abort = new();

    public NotificationWriter(NotificationDispatcher dispatcher, NotificationOptions options, ILogger<NotificationWriter> logger)
    {
        this.dispatcher = dispatcher;
        queue = dispatcher.Queue;
        time = options.Time;
        this.logger = logger;
        pending = Channel.CreateBounded<Pending>(new BoundedChannelOptions(options.WriterCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        foreach (var lane in dispatcher.Lanes)
        {
            if (lane.Config.Filter.SilenceDuplicates > TimeSpan.Zero)
                silence[lane] = new SilenceWindow((long)lane.Config.Filter.SilenceDuplicates.TotalSeconds);
        }
    }

    /// <summary>Alerts taken in (some recipients may have silenced them).</summary>
    public long Accepted => Interlocked.Read(ref acceptedCount);

    private long acceptedCount;

    public void Publish(Alert alert)
    {
        var lanes = dispatcher.Lanes;
        List<RecipientLane>? takers = null;
        for (int i = 0; i < lanes.Count; i++)
        {
            if (lanes[i].Config.Accepts(alert))
                (takers ??= []).Add(lanes[i]);
        }
        if (takers is null)
            return;
        var item = new Pending(takers, alert.Type.Title, AlertJson.ToJson(alert), time.GetUtcNow().ToUnixTimeMilliseconds(),
            silence.Count > 0 ? SilenceKey(alert) : "", Math.Max(alert.Tstamp, alert.TstampEnd));
        if (!pending.Writer.TryWrite(item))
            pending.Writer.WriteAsync(item).AsTask().GetAwaiter().GetResult();
    }

    /// <summary>No more alerts will come: waits until every accepted one is committed (rethrows a queue failure).</summary>
    public async Task CompleteAsync()
    {
        pending.Writer.TryComplete();
        if (ExecuteTask is { } task)
            await task.ConfigureAwait(false);
    }

    /// <summary>Stopping the host takes no more alerts and commits every one already accepted, retrying until <paramref name="cancellationToken"/> fires.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        pending.Writer.TryComplete();
        using var registration = cancellationToken.Register(abort.Cancel);
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    public override void Dispose()
    {
        abort.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = pending.Reader;
        var entries = new List<QueueEntry>(MaxPass);
        var touched = new HashSet<RecipientLane>();
        try
        {
            // Stopping the host does not cut this short: every accepted alert reaches its queues.
            while (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
            {
                entries.Clear();
                touched.Clear();
                while (entries.Count < MaxPass && reader.TryRead(out var item))
                {
                    foreach (var lane in item.Lanes)
                    {
                        if (Silenced(lane, item))
                            continue;
                        entries.Add(new QueueEntry(lane.Queue, item.Title, item.Json, item.CreatedMs));
                        touched.Add(lane);
                    }
                    Interlocked.Increment(ref acceptedCount);
                }
                await CommitAsync(entries, touched).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Writing alerts to the recipients' queues failed after {Count} alerts", Accepted);
            pending.Writer.TryComplete(e);
            throw;
        }
    }

    /// <summary>Commits one pass, retrying while the database refuses it; at the stop deadline, one last try, then it logs what is lost.</summary>
    private async Task CommitAsync(List<QueueEntry> entries, HashSet<RecipientLane> touched)
    {
        var delay = FirstCommitRetryDelay;
        for (int attempt = 1; ; attempt++)
        {
            IReadOnlyList<QueueOverflow> overflows;
            try
            {
                overflows = queue.Enqueue(entries);
            }
            catch (SqliteException e) when (!abort.IsCancellationRequested)
            {
                logger.LogWarning("Writing {Count} queue entries failed ({Error}): kept, retrying in {Delay} (attempt {Attempt})",
                    entries.Count, e.Message, Durations.Format(delay), attempt);
                try
                {
                    await Task.Delay(delay, time, abort.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // The stop deadline passed while waiting: the next attempt is the last.
                }
                delay = delay * 2 < MaxCommitRetryDelay ? delay * 2 : MaxCommitRetryDelay;
                continue;
            }
            catch (SqliteException e)
            {
                var lost = entries.GroupBy(x => x.Recipient.Name).Select(g => $"{g.Key} {g.Count()}");
                logger.LogError("Stopping before the queues took them: {Count} queue entries are lost ({Lost}): {Error}",
                    entries.Count, string.Join(", ", lost), e.Message);
                return;
            }
            if (attempt > 1)
                logger.LogInformation("Wrote {Count} queue entries at attempt {Attempt}", entries.Count, attempt);
            foreach (var (q, dropped) in overflows)
                dispatcher.Overflowed(q, dropped);
            foreach (var lane in touched)
                dispatcher.Notify(lane);
            return;
        }
    }

    /// <summary>True when the same alert on the same entity already went to <paramref name="lane"/> within its window.</summary>
    private bool Silenced(RecipientLane lane, Pending item) =>
        silence.TryGetValue(lane, out var window) && window.Silenced(item.SilenceKey, item.EventTime);

    /// <summary>
    /// Type, entity, subtype and action, plus for flows the endpoints ntopng keys them by (cli_ip, srv_ip, srv_port,
    /// proto): an engage and its release are different alerts here, so a release is never silenced by its engage.
    /// </summary>
    private static string SilenceKey(Alert a)
    {
        var key = string.Create(CultureInfo.InvariantCulture, $"{(int)a.Type.Space}|{a.Type.Id}|{(int)a.Entity}|{a.EntityValue}|{a.Subtype}|{a.Action}");
        return a.Flow is { } f ? string.Create(CultureInfo.InvariantCulture, $"{key}|{f.CliIp}|{f.SrvIp}|{f.SrvPort}|{f.Proto}|{f.VlanId}") : key;
    }

    private sealed record Pending(List<RecipientLane> Lanes, string Title, string Json, long CreatedMs, string SilenceKey, long EventTime);
}
