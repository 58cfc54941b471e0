using System.Text.Json.Nodes;
using Tocsin.Alerts;

namespace Tocsin.Store.Tests;

public sealed class StoreBasicsTests : StoreTestBase
{
    [Fact]
    public void FlowAlert_RoundTripsEveryField()
    {
        var info = new FlowAlertInfo
        {
            CliIp = "2001:db8::1",
            CliPort = 51515,
            SrvIp = "2001:db8::7",
            SrvPort = 8443,
            Proto = 17,
            VlanId = 42,
            IpVersion = 6,
            FirstSeen = 1_700_000_000,
            LastSeen = 1_700_000_090,
            Cli2SrvBytes = 5_000_000_000,
            Srv2CliBytes = 1234,
            Cli2SrvPackets = 77,
            Srv2CliPackets = 66,
            CliIsLocal = true,
            SrvIsLocal = true,
            IsCliAttacker = true,
            IsCliVictim = true,
            IsSrvAttacker = true,
            IsSrvVictim = true,
            FlowScore = 300,
            L7Proto = 91,
            L7MasterProto = 7,
            L7Name = "TLS.Google",
            L7Category = 5,
            HostName = "www.example.com",
            // Bit 63 set: must survive SQLite's signed 64-bit integers.
            RiskBitmap = 0x8000_0000_0000_0011,
            Risks = ["Known Proto on Non Std Port", "Risk with \"quotes\", commas and ü"],
            Info = "SNI www.example.com",
        };
        AlertAssert.NoDefaults(info);
        var alert = new Alert
        {
            Type = TestAlerts.RemoteToRemote,
            Entity = AlertEntity.Flow,
            EntityValue = "flow",
            Subtype = "risk-1",
            Granularity = 1,
            Action = AlertAction.Store,
            Score = 180,
            Category = AlertCategory.Security,
            Tstamp = 1_700_000_000,
            TstampEnd = 1_700_000_100,
            Params = JsonNode.Parse("""{"info":"x","nested":{"a":[1,2.5,"s",null,true]},"unicode":"héllo ✓","big":9007199254740993}""")!.AsObject(),
            Message = "Remote to remote flow",
            InterfaceId = 3,
            InterfaceName = "eth1",
            Acknowledged = true,
            Flow = info,
        };
        using var store = Open();

        store.Add(alert);
        store.Flush();

        Assert.True(alert.RowId > 0);
        Assert.Equal(AlertStatus.Acknowledged, alert.Status);
        var read = Assert.Single(store.Query(new AlertQuery { Entity = AlertEntity.Flow }));
        AlertAssert.Equivalent(alert, read);
    }

    [Fact]
    public void HostAlert_RoundTripsEveryField()
    {
        var info = new HostAlertInfo
        {
            Ip = "10.1.2.3",
            VlanId = 7,
            IpVersion = 4,
            IsLocal = true,
            IsAttacker = true,
            IsVictim = true,
            IsClient = true,
            IsServer = true,
            Name = "printer.lan",
            Network = "10.1.0.0/16",
        };
        AlertAssert.NoDefaults(info);
        var alert = new Alert
        {
            Type = TestAlerts.SynScan,
            Entity = AlertEntity.Host,
            EntityValue = "10.1.2.3@7",
            Subtype = "as_client",
            Granularity = 300,
            Action = AlertAction.Release,
            Score = 60,
            Category = AlertCategory.Security,
            Tstamp = 1_700_000_000,
            TstampEnd = 1_700_000_600,
            Params = new JsonObject { ["value"] = 120, ["threshold"] = 100 },
            Message = "SYN scan",
            InterfaceId = 1,
            InterfaceName = "eth0",
            Host = info,
        };
        using var store = Open();

        store.Add(alert);
        store.Flush();

        Assert.Equal(AlertStatus.Historical, alert.Status);
        var read = Assert.Single(store.Query(new AlertQuery { Entity = AlertEntity.Host }));
        AlertAssert.Equivalent(alert, read);
    }

    [Theory]
    [InlineData(AlertEntity.Interface, "2")]
    [InlineData(AlertEntity.Network, "192.168.1.0/24")]
    [InlineData(AlertEntity.System, "system")]
    [InlineData(AlertEntity.Mac, "aa:bb:cc:dd:ee:ff")]
    [InlineData(AlertEntity.User, "admin")]
    public void OtherFamilies_RoundTripEveryField(AlertEntity entity, string entityValue)
    {
        var alert = new Alert
        {
            Type = TestAlerts.ProcessNotification,
            Entity = entity,
            EntityValue = entityValue,
            Subtype = "bytes",
            Granularity = 3600,
            Action = AlertAction.Store,
            Score = 250,
            Category = AlertCategory.Internals,
            Tstamp = 1_700_000_000,
            TstampEnd = 1_700_000_001,
            Params = new JsonObject { ["metric"] = "bytes", ["values"] = new JsonArray(1, 2, 3) },
            Message = "Something happened",
            InterfaceId = 2,
            InterfaceName = "wlan0",
        };
        using var store = Open();

        store.Add(alert);
        store.Flush();

        var read = Assert.Single(store.Query(new AlertQuery { Entity = entity }));
        AlertAssert.Equivalent(alert, read);
    }

    [Fact]
    public void NetworkAlert_KeepsItsCidrAsNetworkName()
    {
        using var store = Open();
        store.Add(TestAlerts.Other("net", AlertEntity.Network, "192.168.1.0/24", 100));
        store.Flush();

        Assert.Equal("192.168.1.0/24", Scalar(Raw(), "SELECT name FROM network_alerts"));
    }

    [Fact]
    public void FlowAlertWithoutFlowInfo_ReadsBackWithoutFlowInfo()
    {
        var bare = new Alert
        {
            Type = TestAlerts.Blacklisted,
            Entity = AlertEntity.Flow,
            EntityValue = "flow",
            Action = AlertAction.Store,
            Tstamp = 100,
            Message = "bare",
        };
        using var store = Open();
        store.Add(bare);
        store.Flush();

        var read = Assert.Single(store.Query(new AlertQuery()));
        Assert.Null(read.Flow);
        AlertAssert.Equivalent(bare, read);
    }

    [Fact]
    public void TypeMissingFromCatalog_IsReadBackAsPlaceholderWithItsName()
    {
        var local = AlertType.Other(4200, "custom_check", "Custom Check", AlertCategory.Other, Scores.Notice);
        using (var store = Open(catalog: new AlertTypeCatalog([local])))
            store.Add(TestAlerts.Other("custom", AlertEntity.System, "system", 100, type: local));

        using var reopened = Open();
        var read = Assert.Single(reopened.Query(new AlertQuery()));
        Assert.Equal((AlertTypeSpace.Other, 4200, "custom_check"), (read.Type.Space, read.Type.Id, read.Type.Name));
        Assert.NotSame(local, read.Type);
    }

    [Fact]
    public void Add_RejectsTypeFromAnotherFamilysIdSpace()
    {
        var alert = new Alert { Type = TestAlerts.SynScan, Entity = AlertEntity.Flow, EntityValue = "flow", Action = AlertAction.Store };
        using var store = Open();

        Assert.Throws<ArgumentException>(() => store.Add(alert));
        Assert.Equal(0, store.Count(new AlertQuery()));
    }

    [Fact]
    public void EngageIsIgnored_ReleaseIsStored()
    {
        var engage = TestAlerts.Host("engaged", 100, action: AlertAction.Engage);
        var release = TestAlerts.Host("released", 100, action: AlertAction.Release);
        using var store = Open();

        store.Add(engage);
        store.Add(release);
        store.Flush();

        Assert.Equal(0, engage.RowId);
        Assert.True(release.RowId > 0);
        Assert.Equal(["released"], store.Query(new AlertQuery()).Select(a => a.Message));
        Assert.Equal(1, RawCount("host_alerts"));
    }

    [Fact]
    public void Writes_AreBufferedUntilBatchIsFullOrFlushed()
    {
        using var store = Open(new SqliteAlertStoreOptions { BatchSize = 4 });
        var alerts = Enumerable.Range(0, 5).Select(i => TestAlerts.Host($"h{i}", 100 + i)).ToList();

        foreach (var alert in alerts.Take(3))
            store.Add(alert);
        Assert.All(alerts.Take(3), a => Assert.Equal(0, a.RowId));
        Assert.Equal(0, RawCount("host_alerts"));

        store.Add(alerts[3]);
        Assert.Equal(4, RawCount("host_alerts"));
        Assert.Equal(4, alerts.Take(4).Select(a => a.RowId).Where(id => id > 0).Distinct().Count());

        store.Add(alerts[4]);
        Assert.Equal(0, alerts[4].RowId);
        store.Flush();
        Assert.True(alerts[4].RowId > alerts[3].RowId);
        Assert.Equal(5, RawCount("host_alerts"));
    }

    [Fact]
    public void Query_CommitsPendingAlertsFirst()
    {
        using var store = Open(new SqliteAlertStoreOptions { BatchSize = 100 });
        var alert = TestAlerts.Host("pending", 100);
        store.Add(alert);

        Assert.Equal(["pending"], store.Query(new AlertQuery()).Select(a => a.Message));
        Assert.True(alert.RowId > 0);
    }

    [Fact]
    public void DataSurvivesDisposeAndReopen_IncludingUnflushedAlerts()
    {
        var alerts = new[]
        {
            TestAlerts.Flow("f", 100),
            TestAlerts.Host("h", 200),
            TestAlerts.Other("i", AlertEntity.Interface, "0", 300),
        };
        using (var store = Open(new SqliteAlertStoreOptions { BatchSize = 100 }))
        {
            foreach (var alert in alerts)
                store.Add(alert);
        }

        using var reopened = Open();
        var read = reopened.Query(new AlertQuery { Ascending = true });
        Assert.Equal(3, read.Count);
        for (var i = 0; i < alerts.Length; i++)
            AlertAssert.Equivalent(alerts[i], read[i]);
    }

    [Fact]
    public void Database_IsInWalModeWithVersionedSchemaAndOneTablePerFamily()
    {
        using var store = Open();
        var raw = Raw();

        Assert.Equal("wal", Scalar(raw, "PRAGMA journal_mode"));
        Assert.Equal((long)SqliteAlertStore.SchemaVersion, Scalar(raw, "PRAGMA user_version"));
        using var command = raw.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%_alerts' ORDER BY name";
        using var reader = command.ExecuteReader();
        var tables = new List<string>();
        while (reader.Read())
            tables.Add(reader.GetString(0));
        Assert.Equal(
            ["flow_alerts", "host_alerts", "interface_alerts", "mac_alerts", "network_alerts", "system_alerts", "user_alerts"],
            tables);
    }

    [Fact]
    public void Open_RefusesSchemaFromNewerBuild()
    {
        Open().Dispose();
        var raw = Raw();
        Scalar(raw, "PRAGMA user_version = 99");
        raw.Dispose();

        var error = Assert.Throws<InvalidDataException>(() => Open());
        Assert.Contains("99", error.Message);
    }

    [Fact]
    public void Open_CreatesMissingParentDirectories()
    {
        var path = TempPath("a", "b", "alerts.db");

        using var store = Open(path: path);
        store.Add(TestAlerts.Host("h", 1));
        store.Flush();

        Assert.True(File.Exists(path));
        Assert.Equal(path, store.Path);
    }

    [Fact]
    public void DisposedStore_RefusesCalls()
    {
        var store = Open();
        store.Dispose();

        Assert.Throws<ObjectDisposedException>(() => store.Add(TestAlerts.Host("h", 1)));
        Assert.Throws<ObjectDisposedException>(() => store.Query(new AlertQuery()));
    }

    [Fact]
    public void BatchFailingOnALockedFile_StaysQueuedAndCommitsOnRetry()
    {
        using var store = Open(new SqliteAlertStoreOptions { BatchSize = 100, BusyTimeout = TimeSpan.FromMilliseconds(200) });
        var alerts = new[] { TestAlerts.Host("h1", 1), TestAlerts.Host("h2", 2) };
        foreach (var alert in alerts)
            store.Add(alert);
        var other = Raw();
        Scalar(other, "BEGIN IMMEDIATE");

        Assert.Throws<Microsoft.Data.Sqlite.SqliteException>(store.Flush);
        Assert.All(alerts, a => Assert.Equal(0, a.RowId));

        Scalar(other, "COMMIT");
        store.Flush();
        Assert.All(alerts, a => Assert.True(a.RowId > 0));
        Assert.Equal(2, RawCount("host_alerts"));
    }

    [Fact]
    public void Dispose_DoesNotThrowWhenThePendingBatchStillFails()
    {
        var store = Open(new SqliteAlertStoreOptions { BatchSize = 100, BusyTimeout = TimeSpan.FromMilliseconds(200) });
        store.Add(TestAlerts.Host("h1", 1));
        var other = Raw();
        Scalar(other, "BEGIN IMMEDIATE");
        Assert.Throws<Microsoft.Data.Sqlite.SqliteException>(store.Flush);

        store.Dispose();

        Scalar(other, "COMMIT");
        Assert.Equal(0, RawCount("host_alerts"));
        Assert.Throws<ObjectDisposedException>(store.Flush);
    }

    [Fact]
    public async Task ConcurrentWritersAndReaders_LoseNothing()
    {
        using var store = Open(new SqliteAlertStoreOptions { BatchSize = 64 });
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(() =>
        {
            var mine = Enumerable.Range(0, 500).Select(i => TestAlerts.Host($"w{w}-{i}", i)).ToList();
            foreach (var alert in mine)
                store.Add(alert);
            return mine;
        })).ToList();
        var reader = Task.Run(() =>
        {
            while (!writers.All(t => t.IsCompleted))
            {
                // Alerts are only added: a page read after a count holds at least what that count saw, up to the limit,
                // every one committed, newest first.
                long before = store.Count(new AlertQuery());
                var page = store.Query(new AlertQuery { Limit = 10 });
                Assert.InRange(page.Count, Math.Min(before, 10), 10);
                Assert.All(page, a => Assert.True(a.RowId > 0));
                Assert.Equal(page.OrderByDescending(a => a.Tstamp).ThenByDescending(a => a.RowId), page);
            }
        });
        var written = await Task.WhenAll(writers);
        await reader;
        store.Flush();

        Assert.Equal(2000, store.Count(new AlertQuery()));
        Assert.Equal([499, 499, 499, 499, 498, 498, 498, 498, 497, 497], store.Query(new AlertQuery { Limit = 10 }).Select(a => a.Tstamp));
        Assert.Equal(2000, written.SelectMany(a => a).Select(a => a.RowId).Where(id => id > 0).Distinct().Count());
    }

    [Fact]
    public void Options_RejectNonPositiveBatchSizeAndBusyTimeout()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Open(new SqliteAlertStoreOptions { BatchSize = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Open(new SqliteAlertStoreOptions { BusyTimeout = TimeSpan.Zero }));
    }
}
