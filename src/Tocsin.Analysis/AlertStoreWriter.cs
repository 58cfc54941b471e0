using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Tocsin.Alerts;
using Tocsin.Store;

namespace Tocsin.Analysis;

/// <summary>
/// Hands released and stored alerts to the alert store on a background task, so SQLite's commit time never slows
/// the packet path (engaged alerts live in the engine, as ntopng). Alerts travel in batches (one alert at a time,
/// the channel's lock was a seventh of the writer's time on a busy capture); a partial batch is handed over within
/// <see cref="Linger"/>. The queue is bounded and blocks the publisher when full, so no alert is dropped while
/// the store works; once it has failed, the alerts it cannot take are dropped (the output still has them) and
/// the failure is reported. <see cref="CompleteAsync"/> drains it.
/// </summary>
public sealed class AlertStoreWriter(IAlertStore store) : BackgroundService, IAlertSink
{
    private const int BatchSize = 256;

    /// <summary>How long a partial batch may wait for more alerts before it is stored.</summary>
    public static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(100);

    // 256 batches of 256: up to 65,536 alerts in flight.
    private readonly Channel<List<Alert>> queue = Channel.CreateBounded<List<Alert>>(new BoundedChannelOptions(256)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });
    private readonly Lock gate = new();
    private List<Alert> filling = new(BatchSize);
    private ExceptionDispatchInfo? failure;

    /// <summary>Alerts the store has committed.</summary>
    public long Written { get; private set; }

    public void Publish(Alert alert)
    {
        if (alert.Action == AlertAction.Engage)
            return;
        lock (gate)
        {
            filling.Add(alert);
            if (filling.Count >= BatchSize)
                SendLocked();
        }
    }

    /// <summary>No more alerts will come: waits until every queued one is committed (rethrows a store failure).</summary>
    public async Task CompleteAsync()
    {
        lock (gate)
        {
            if (filling.Count > 0)
                SendLocked();
        }
        queue.Writer.TryComplete();
        if (ExecuteTask is { } task)
            await task.ConfigureAwait(false);
        failure?.Throw();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var lingerTimer = new Timer(_ => SendPartial(), null, Linger, Linger);
        var reader = queue.Reader;
        long added = 0;
        try
        {
            // Stopping the host does not cut the drain short: every accepted alert reaches the store.
            while (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
            {
                while (reader.TryRead(out var batch))
                {
                    foreach (var alert in batch)
                    {
                        store.Add(alert);
                        added++;
                    }
                }
                store.Flush();
                Written = added;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Kept for CompleteAsync, whose caller reports it once; thrown from here, the host would log it too.
            failure = ExceptionDispatchInfo.Capture(e);
            queue.Writer.TryComplete(e);
        }
    }

    /// <summary>Queues the filling batch, waiting for room when the store is behind. Under the lock, so batches keep their order.</summary>
    private void SendLocked()
    {
        var batch = filling;
        filling = new List<Alert>(BatchSize);
        try
        {
            if (!queue.Writer.TryWrite(batch))
                queue.Writer.WriteAsync(batch).AsTask().GetAwaiter().GetResult();
        }
        catch (ChannelClosedException)
        {
            // The store failed and closed the queue: the batch is lost to it, CompleteAsync reports why, and the
            // analysis goes on so its output is not lost too.
        }
    }

    /// <summary>The timer's turn: a partial batch goes when the queue has room and no publisher holds the lock.</summary>
    private void SendPartial()
    {
        if (!gate.TryEnter())
            return;
        try
        {
            if (filling.Count > 0 && queue.Writer.TryWrite(filling))
                filling = new List<Alert>(BatchSize);
        }
        finally
        {
            gate.Exit();
        }
    }
}
