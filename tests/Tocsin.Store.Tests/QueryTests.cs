using Tocsin.Alerts;

namespace Tocsin.Store.Tests;

public sealed class QueryTests : StoreTestBase
{
    // One alert per line, named by its message; newest first: s1 i1 h2 f2 h1 f1 n1.
    private static Alert[] Dataset() =>
    [
        TestAlerts.Flow("f1", 1000, cliIp: "10.0.0.1", cliPort: 40000, srvIp: "192.0.2.1", srvPort: 443, vlan: 0, score: 100),
        TestAlerts.Flow("f2", 2000, cliIp: "10.0.0.2", cliPort: 40001, srvIp: "10.0.0.1", srvPort: 53, vlan: 10, score: 10,
            type: TestAlerts.RemoteToRemote, acknowledged: true),
        TestAlerts.Host("h1", 1500, ip: "10.0.0.1", vlan: 0, score: 250),
        TestAlerts.Host("h2", 2500, ip: "10.0.0.3", vlan: 10, score: 50),
        TestAlerts.Other("i1", AlertEntity.Interface, "0", 3000, score: 50),
        TestAlerts.Other("n1", AlertEntity.Network, "192.168.1.0/24", 500, score: 1),
        TestAlerts.Other("s1", AlertEntity.System, "system", 3500, score: 200, type: TestAlerts.ProcessNotification),
    ];

    private static readonly Dictionary<string, AlertQuery> Queries = new()
    {
        ["none"] = new AlertQuery(),
        ["entity"] = new AlertQuery { Entity = AlertEntity.Host },
        ["from-to inclusive"] = new AlertQuery { From = 1500, To = 2500 },
        ["from only"] = new AlertQuery { From = 3000 },
        ["to only"] = new AlertQuery { To = 1000 },
        ["type id in flow and host spaces"] = new AlertQuery { TypeIds = [1] },
        ["type ids"] = new AlertQuery { TypeIds = [2, 4097] },
        ["empty type id list"] = new AlertQuery { TypeIds = [] },
        ["host type only in host alerts"] = new AlertQuery { Types = [TestAlerts.SynScan] },
        ["flow type only in flow alerts"] = new AlertQuery { Types = [TestAlerts.Blacklisted] },
        ["types or type ids"] = new AlertQuery { Types = [TestAlerts.SynScan], TypeIds = [2] },
        ["min severity"] = new AlertQuery { MinSeverity = Severity.Error },
        ["min score"] = new AlertQuery { MinScore = 200 },
        ["entity value"] = new AlertQuery { EntityValue = "10.0.0.1@0" },
        ["ip: host or either flow end"] = new AlertQuery { Ip = "10.0.0.1" },
        ["cli ip"] = new AlertQuery { CliIp = "10.0.0.1" },
        ["srv ip"] = new AlertQuery { SrvIp = "10.0.0.1" },
        ["port as server"] = new AlertQuery { Port = 53 },
        ["port as client"] = new AlertQuery { Port = 40000 },
        ["cli port"] = new AlertQuery { CliPort = 40001 },
        ["srv port"] = new AlertQuery { SrvPort = 443 },
        ["vlan"] = new AlertQuery { VlanId = 10 },
        ["status acknowledged"] = new AlertQuery { Status = AlertStatus.Acknowledged },
        ["status historical"] = new AlertQuery { Status = AlertStatus.Historical },
        ["status engaged"] = new AlertQuery { Status = AlertStatus.Engaged },
        ["ip and from"] = new AlertQuery { Ip = "10.0.0.1", From = 1200 },
        ["flow entity and vlan"] = new AlertQuery { Entity = AlertEntity.Flow, VlanId = 0 },
        ["score, status and to"] = new AlertQuery { MinScore = 50, Status = AlertStatus.Historical, To = 3000 },
        ["port on interface family"] = new AlertQuery { Entity = AlertEntity.Interface, Port = 53 },
        ["type, severity and ip"] = new AlertQuery { TypeIds = [1], MinSeverity = Severity.Emergency, Ip = "10.0.0.1" },
    };

    [Theory]
    [InlineData("none", "s1 i1 h2 f2 h1 f1 n1")]
    [InlineData("entity", "h2 h1")]
    [InlineData("from-to inclusive", "h2 f2 h1")]
    [InlineData("from only", "s1 i1")]
    [InlineData("to only", "f1 n1")]
    [InlineData("type id in flow and host spaces", "h2 h1 f1")]
    [InlineData("type ids", "i1 f2 n1")]
    [InlineData("empty type id list", "")]
    [InlineData("host type only in host alerts", "h2 h1")]
    [InlineData("flow type only in flow alerts", "f1")]
    [InlineData("types or type ids", "h2 f2 h1")]
    [InlineData("min severity", "s1 h1 f1")]
    [InlineData("min score", "s1 h1")]
    [InlineData("entity value", "h1")]
    [InlineData("ip: host or either flow end", "f2 h1 f1")]
    [InlineData("cli ip", "f1")]
    [InlineData("srv ip", "f2")]
    [InlineData("port as server", "f2")]
    [InlineData("port as client", "f1")]
    [InlineData("cli port", "f2")]
    [InlineData("srv port", "f1")]
    [InlineData("vlan", "h2 f2")]
    [InlineData("status acknowledged", "f2")]
    [InlineData("status historical", "s1 i1 h2 h1 f1 n1")]
    [InlineData("status engaged", "")]
    [InlineData("ip and from", "f2 h1")]
    [InlineData("flow entity and vlan", "f1")]
    [InlineData("score, status and to", "i1 h2 h1 f1")]
    [InlineData("port on interface family", "")]
    [InlineData("type, severity and ip", "h1")]
    public void Filter_SelectsExactlyTheMatchingAlerts(string name, string expected)
    {
        using var store = Open();
        foreach (var alert in Dataset())
            store.Add(alert);

        var query = Queries[name];
        var found = store.Query(query).Select(a => a.Message);

        Assert.Equal(expected.Split(' ', StringSplitOptions.RemoveEmptyEntries), found);
        Assert.Equal(found.Count(), store.Count(query));
    }

    [Fact]
    public void Results_AreOrderedByTimeAcrossFamilies_BothWays()
    {
        using var store = Open();
        foreach (var alert in Dataset())
            store.Add(alert);

        Assert.Equal(["s1", "i1", "h2", "f2", "h1", "f1", "n1"], store.Query(new AlertQuery()).Select(a => a.Message));
        Assert.Equal(["n1", "f1", "h1", "f2", "h2", "i1", "s1"], store.Query(new AlertQuery { Ascending = true }).Select(a => a.Message));
    }

    [Fact]
    public void SameTimestamp_IsOrderedByRowId()
    {
        using var store = Open();
        store.Add(TestAlerts.Host("first", 100));
        store.Add(TestAlerts.Host("second", 100));
        store.Add(TestAlerts.Host("third", 100));

        Assert.Equal(["third", "second", "first"], store.Query(new AlertQuery()).Select(a => a.Message));
        Assert.Equal(["first", "second", "third"], store.Query(new AlertQuery { Ascending = true }).Select(a => a.Message));
    }

    [Fact]
    public void LimitAndOffset_ApplyToTheMergedResult()
    {
        using var store = Open();
        foreach (var alert in Dataset())
            store.Add(alert);

        Assert.Equal(["h2", "f2"], store.Query(new AlertQuery { Limit = 2, Offset = 2 }).Select(a => a.Message));
        Assert.Equal(["f1", "h1"], store.Query(new AlertQuery { Limit = 2, Offset = 1, Ascending = true }).Select(a => a.Message));
        Assert.Equal(["n1"], store.Query(new AlertQuery { Limit = 5, Offset = 6 }).Select(a => a.Message));
        Assert.Empty(store.Query(new AlertQuery { Offset = 7 }));
        Assert.Empty(store.Query(new AlertQuery { Limit = 0 }));
        Assert.Equal(7, store.Count(new AlertQuery { Limit = 2, Offset = 3 }));
    }

    [Fact]
    public void Pages_ConcatenateToTheFullResult()
    {
        using var store = Open();
        for (var i = 0; i < 40; i++)
        {
            store.Add((i % 3) switch
            {
                0 => TestAlerts.Flow($"a{i}", 1000 + i / 2),
                1 => TestAlerts.Host($"a{i}", 1000 + i / 2),
                _ => TestAlerts.Other($"a{i}", AlertEntity.Interface, "0", 1000 + i / 2),
            });
        }

        var all = store.Query(new AlertQuery { Limit = 100 }).Select(a => (a.Entity, a.RowId)).ToList();
        var paged = Enumerable.Range(0, 6)
            .SelectMany(page => store.Query(new AlertQuery { Limit = 7, Offset = page * 7 }))
            .Select(a => (a.Entity, a.RowId))
            .ToList();

        Assert.Equal(40, all.Count);
        Assert.Equal(all, paged);
    }

    [Fact]
    public void InjectionInFilterValues_MatchesNothingAndDropsNothing()
    {
        using var store = Open();
        foreach (var alert in Dataset())
            store.Add(alert);
        const string Hostile = "x'); DROP TABLE host_alerts; --";
        var hostileAlert = TestAlerts.Other("hostile", AlertEntity.User, Hostile, 4000);
        store.Add(hostileAlert);

        var attempts = new[]
        {
            new AlertQuery { EntityValue = "' OR 1=1; DROP TABLE host_alerts; --" },
            new AlertQuery { Ip = "10.0.0.1' OR '1'='1" },
            new AlertQuery { CliIp = "\" OR \"\"=\"" },
            new AlertQuery { Entity = AlertEntity.Host, EntityValue = "10.0.0.1@0'; DELETE FROM host_alerts; --" },
        };
        foreach (var attempt in attempts)
        {
            Assert.Empty(store.Query(attempt));
            Assert.Equal(0, store.Count(attempt));
            Assert.Equal(0, store.Acknowledge(attempt));
        }

        Assert.Equal(8, store.Count(new AlertQuery()));
        Assert.Equal(2, RawCount("host_alerts"));
        // The hostile text is data: stored and matched verbatim.
        var read = Assert.Single(store.Query(new AlertQuery { EntityValue = Hostile }));
        Assert.Equal(hostileAlert.RowId, read.RowId);
        Assert.Equal(Hostile, read.EntityValue);
    }

    [Fact]
    public void Query_RejectsNegativePaging()
    {
        using var store = Open();

        Assert.Throws<ArgumentOutOfRangeException>(() => store.Query(new AlertQuery { Limit = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => store.Query(new AlertQuery { Offset = -1 }));
    }
}
