namespace Tocsin.Store;

public sealed record SqliteAlertStoreOptions
{
    /// <summary>Alerts queued by <see cref="SqliteAlertStore.Add"/> before they are committed in one transaction.</summary>
    /// <remarks>
    /// Large, because each commit rewrites every index page it touched: at 512 a busy capture wrote about three pages
    /// per alert. Writers flush when their queue runs dry, so a quiet network does not wait for a full batch.
    /// </remarks>
    public int BatchSize { get; init; } = 4096;

    /// <summary>How long a statement waits for another connection's lock on the file before failing; must be positive.</summary>
    public TimeSpan BusyTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
