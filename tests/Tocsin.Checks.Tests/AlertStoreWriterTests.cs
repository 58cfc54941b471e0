using Tocsin.Alerts;
using Tocsin.Analysis;
using Tocsin.Store;
using Tocsin.Testing;

namespace Tocsin.Checks.Tests;

public class AlertStoreWriterTests
{
    private static readonly AlertType Type = AlertType.Host(5, "syn_scan", "TCP SYN Scan", AlertCategory.Security, 50);

    private static Alert NewAlert(int i, AlertAction action) => new()
    {
        Type = Type,
        Entity = AlertEntity.Host,
        EntityValue = $"10.0.{i / 250}.{i % 250}@0",
        Action = action,
        Score = 50,
        Tstamp = 1_700_000_000 + i,
        TstampEnd = 1_700_000_060 + i,
        Message = "m" + i,
        Host = new HostAlertInfo { Ip = $"10.0.{i / 250}.{i % 250}" },
    };

    [Fact]
    public async Task Every_released_or_stored_alert_reaches_the_store_in_order_and_engages_do_not()
    {
        using var dir = new TempDirectory();
        using var store = new SqliteAlertStore(dir.File("a.db"), new AlertTypeCatalog([Type]));
        var writer = new AlertStoreWriter(store);
        await writer.StartAsync(CancellationToken.None);
        for (int i = 0; i < 3000; i++)
        {
            writer.Publish(NewAlert(i, AlertAction.Engage));
            writer.Publish(NewAlert(i, AlertAction.Release));
        }
        await writer.CompleteAsync();
        Assert.Equal(3000, writer.Written);
        var stored = store.Query(new AlertQuery { Limit = 5000, Ascending = true });
        Assert.Equal(3000, stored.Count);
        Assert.Equal(Enumerable.Range(0, 3000).Select(i => "m" + i), stored.Select(a => a.Message));
        Assert.All(stored, a => Assert.Equal(AlertAction.Release, a.Action));
    }

    [Fact]
    public async Task A_store_failure_surfaces_when_the_writer_completes()
    {
        using var dir = new TempDirectory();
        var store = new SqliteAlertStore(dir.File("a.db"), new AlertTypeCatalog([Type]));
        var writer = new AlertStoreWriter(store);
        store.Dispose();
        await writer.StartAsync(CancellationToken.None);
        writer.Publish(NewAlert(1, AlertAction.Store));
        await Assert.ThrowsAsync<ObjectDisposedException>(writer.CompleteAsync);
    }
}
