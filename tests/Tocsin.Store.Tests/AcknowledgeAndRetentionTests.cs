using Tocsin.Alerts;

namespace Tocsin.Store.Tests;

public sealed class AcknowledgeAndRetentionTests : StoreTestBase
{
    [Fact]
    public void Acknowledge_ChangesOnlyMatchingHistoricalAlerts()
    {
        using var store = Open();
        store.Add(TestAlerts.Host("h1", 100, ip: "10.0.0.1"));
        store.Add(TestAlerts.Host("h2", 200, ip: "10.0.0.2"));
        store.Add(TestAlerts.Flow("f1", 300, cliIp: "10.0.0.1"));
        store.Add(TestAlerts.Flow("f2", 400, cliIp: "10.0.0.9", srvIp: "10.0.0.8", acknowledged: true));
        store.Add(TestAlerts.Other("i1", AlertEntity.Interface, "0", 500));

        Assert.Equal(2, store.Acknowledge(new AlertQuery { Ip = "10.0.0.1" }));

        Assert.Equal(["f2", "f1", "h1"], Messages(store, AlertStatus.Acknowledged));
        Assert.Equal(["i1", "h2"], Messages(store, AlertStatus.Historical));
        Assert.All(store.Query(new AlertQuery { Status = AlertStatus.Acknowledged }), a => Assert.True(a.Acknowledged));
        Assert.Equal(0, store.Acknowledge(new AlertQuery { Ip = "10.0.0.1" }));
    }

    [Fact]
    public void Acknowledge_IgnoresPagingAndCountsEveryFamily()
    {
        using var store = Open();
        for (var i = 0; i < 5; i++)
        {
            store.Add(TestAlerts.Host($"h{i}", i));
            store.Add(TestAlerts.Other($"s{i}", AlertEntity.System, "system", i));
        }

        Assert.Equal(10, store.Acknowledge(new AlertQuery { Limit = 1 }));
        Assert.Equal(0, store.Count(new AlertQuery { Status = AlertStatus.Historical }));
    }

    [Fact]
    public void Acknowledge_WithNonHistoricalStatusFilter_ChangesNothing()
    {
        using var store = Open();
        store.Add(TestAlerts.Host("h1", 100));

        Assert.Equal(0, store.Acknowledge(new AlertQuery { Status = AlertStatus.Acknowledged }));
        Assert.Equal(1, store.Count(new AlertQuery { Status = AlertStatus.Historical }));
    }

    [Fact]
    public void Acknowledge_IncludesPendingAlerts()
    {
        using var store = Open(new SqliteAlertStoreOptions { BatchSize = 100 });
        store.Add(TestAlerts.Host("h1", 100));

        Assert.Equal(1, store.Acknowledge(new AlertQuery()));
    }

    [Fact]
    public void Retention_ByAge_DeletesOnlyRowsOlderThanTheCutoff()
    {
        using var store = Open();
        store.Add(TestAlerts.Other("n1", AlertEntity.Network, "10.0.0.0/8", 500));
        store.Add(TestAlerts.Flow("f1", 1000));
        store.Add(TestAlerts.Host("h1", 1999));
        store.Add(TestAlerts.Host("h2", 2000));
        store.Add(TestAlerts.Flow("f2", 3000));

        var result = store.ApplyRetention(TimeSpan.FromSeconds(2000), maxPerFamily: 1000, now: 4000);

        Assert.Equal(new RetentionResult(DeletedByAge: 3, DeletedByCount: 0), result);
        Assert.Equal(["f2", "h2"], store.Query(new AlertQuery()).Select(a => a.Message));
    }

    [Fact]
    public void Retention_ByCount_KeepsTheNewestRowsOfEachFamily()
    {
        using var store = Open();
        // Inserted out of time order: "newest" means by tstamp, not by insertion.
        foreach (var t in new[] { 5, 1, 4, 2, 3 })
            store.Add(TestAlerts.Host($"h{t}", t));
        store.Add(TestAlerts.Flow("f1", 1));
        store.Add(TestAlerts.Flow("f2", 2));
        store.Add(TestAlerts.Other("s1", AlertEntity.System, "system", 1));

        var result = store.ApplyRetention(TimeSpan.FromDays(365), maxPerFamily: 2, now: 10);

        Assert.Equal(new RetentionResult(DeletedByAge: 0, DeletedByCount: 3), result);
        Assert.Equal(["h5", "h4"], store.Query(new AlertQuery { Entity = AlertEntity.Host }).Select(a => a.Message));
        Assert.Equal(2, store.Count(new AlertQuery { Entity = AlertEntity.Flow }));
        Assert.Equal(1, store.Count(new AlertQuery { Entity = AlertEntity.System }));
    }

    [Fact]
    public void Retention_AppliesAgeThenCount_AndRowIdsAreNeverReused()
    {
        using var store = Open();
        var alerts = Enumerable.Range(1, 6).Select(t => TestAlerts.Host($"h{t}", t * 100)).ToList();
        foreach (var alert in alerts)
            store.Add(alert);

        // Age removes h1, h2 (tstamp < 250); count then keeps the newest 3 of h3..h6.
        Assert.Equal(new RetentionResult(2, 1), store.ApplyRetention(TimeSpan.FromSeconds(750), 3, now: 1000));
        Assert.Equal(["h6", "h5", "h4"], store.Query(new AlertQuery()).Select(a => a.Message));

        Assert.Equal(new RetentionResult(0, 3), store.ApplyRetention(TimeSpan.FromDays(1), 0, now: 1000));
        var later = TestAlerts.Host("later", 900);
        store.Add(later);
        store.Flush();
        Assert.True(later.RowId > alerts[^1].RowId);
    }

    [Fact]
    public void Retention_RejectsNegativeLimits()
    {
        using var store = Open();

        Assert.Throws<ArgumentOutOfRangeException>(() => store.ApplyRetention(TimeSpan.FromSeconds(-1), 10, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => store.ApplyRetention(TimeSpan.FromDays(1), -1, 0));
    }

    private static string[] Messages(SqliteAlertStore store, AlertStatus status) =>
        [.. store.Query(new AlertQuery { Status = status }).Select(a => a.Message)];
}
