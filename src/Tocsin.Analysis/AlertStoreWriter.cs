using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tocsin.Alerts;
using Tocsin.Store;

namespace Tocsin.Analysis;

/// <summary>
/// Hands released and stored alerts to the alert store on a background task, so SQLite's commit time never slows
/// the packet path (engaged alerts live in the engine, as ntopng). The queue is bounded and blocks the publisher
/// when full: alerts are never dropped. <see cref="CompleteAsync"/> drains it.
/// </summary>
public sealed class AlertStoreWriter(IAlertStore store, ILogger<AlertStoreWriter> logger) : BackgroundService, IAlertSink
{
    private const int Capacity = 65_536;

    private readonly Channel<Alert> queue = Channel.CreateBounded<Alert>(new BoundedChannelOptions(Capacity)
    {
        SingleReader = true,
        SingleWriter = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    public long Written { get; private set; }

    public void Publish(Alert alert)
    {
        if (alert.Action == AlertAction.Engage)
            return;
        if (!queue.Writer.TryWrite(alert))
            queue.Writer.WriteAsync(alert).AsTask().GetAwaiter().GetResult();
    }

    /// <summary>No more alerts will come: waits until every queued one is committed (rethrows a store failure).</summary>
    public async Task CompleteAsync()
    {
        queue.Writer.TryComplete();
        if (ExecuteTask is { } task)
            await task.ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = queue.Reader;
        try
        {
            // Stopping the host does not cut the drain short: every accepted alert reaches the store.
            while (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
            {
                while (reader.TryRead(out var alert))
                {
                    store.Add(alert);
                    Written++;
                }
                store.Flush();
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Writing alerts to the store failed after {Count} alerts", Written);
            queue.Writer.TryComplete(e);
            throw;
        }
    }
}
