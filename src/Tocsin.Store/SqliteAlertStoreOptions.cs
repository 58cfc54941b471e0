namespace Tocsin.Store;

public sealed record SqliteAlertStoreOptions
{
    /// <summary>Alerts queued by <see cref="SqliteAlertStore.Add"/> before they are committed in one transaction.</summary>
    public int BatchSize { get; init; } = 512;

    /// <summary>How long a statement waits for another connection's lock on the file before failing; must be positive.</summary>
    public TimeSpan BusyTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
