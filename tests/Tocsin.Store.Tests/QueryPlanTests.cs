using System.Text.RegularExpressions;
using Tocsin.Alerts;
using Xunit.Abstractions;

namespace Tocsin.Store.Tests;

public sealed class QueryPlanTests(ITestOutputHelper output) : StoreTestBase
{
    [Fact]
    public void HostIpAndTimeRange_SearchesTheIpIndex()
    {
        using var store = Open();

        var plan = Plan(store, new AlertQuery { Entity = AlertEntity.Host, Ip = "10.0.0.1", From = 100, To = 200 });

        // Equality on ip and the range on tstamp both resolved in the index, which also yields the order: no sort step.
        Assert.Contains(plan, line => Regex.IsMatch(line, @"^SEARCH host_alerts USING (COVERING )?INDEX idx_host_alerts_ip \(ip=\? AND tstamp>\? AND tstamp<\?\)$"));
        Assert.DoesNotContain(plan, line => line.Contains("TEMP B-TREE", StringComparison.Ordinal));
    }

    [Fact]
    public void IpAcrossFamilies_UsesAnIndexForBothFlowEndsAndForHosts()
    {
        using var store = Open();

        var plan = Plan(store, new AlertQuery { Ip = "10.0.0.1", From = 100 });

        Assert.Contains(plan, line => line.Contains("INDEX idx_flow_alerts_cli_ip (cli_ip=?", StringComparison.Ordinal));
        Assert.Contains(plan, line => line.Contains("INDEX idx_flow_alerts_srv_ip (srv_ip=?", StringComparison.Ordinal));
        Assert.Contains(plan, line => line.Contains("INDEX idx_host_alerts_ip (ip=?", StringComparison.Ordinal));
        // Families without an IP cannot match and are not read at all.
        Assert.DoesNotContain(plan, line => line.Contains("interface_alerts", StringComparison.Ordinal));
        AssertNoFullScan(plan);
    }

    [Fact]
    public void TimeRangeOverEveryFamily_UsesEachTablesTimeIndex()
    {
        using var store = Open();

        var plan = Plan(store, new AlertQuery { From = 100, To = 200 });

        foreach (var table in new[] { "flow", "host", "interface", "network", "mac", "system", "user" })
            Assert.Contains(plan, line => Regex.IsMatch(line, $@"^SEARCH {table}_alerts USING (COVERING )?INDEX idx_{table}_alerts_tstamp \(tstamp>\? AND tstamp<\?\)$"));
        // The per-table results are merged in order rather than collected and sorted.
        Assert.Contains("MERGE (UNION ALL)", plan);
        AssertNoFullScan(plan);
    }

    [Fact]
    public void FlowPortAndVlan_UseIndexes()
    {
        using var store = Open();

        AssertNoFullScan(Plan(store, new AlertQuery { Entity = AlertEntity.Flow, SrvPort = 443 }));
        AssertNoFullScan(Plan(store, new AlertQuery { Entity = AlertEntity.Flow, Port = 53 }));
        AssertNoFullScan(Plan(store, new AlertQuery { Entity = AlertEntity.Host, VlanId = 3 }));
        AssertNoFullScan(Plan(store, new AlertQuery { Entity = AlertEntity.System, TypeIds = [4097], Status = AlertStatus.Historical }));
    }

    private List<string> Plan(SqliteAlertStore store, AlertQuery query)
    {
        var plan = store.ExplainQueryPlan(query).ToList();
        foreach (var line in plan)
            output.WriteLine(line);
        Assert.NotEmpty(plan);
        return plan;
    }

    /// <summary>A bare "SCAN table" reads every row; index scans and searches name their index.</summary>
    private static void AssertNoFullScan(List<string> plan) =>
        Assert.DoesNotContain(plan, line => line.StartsWith("SCAN ", StringComparison.Ordinal) && !line.Contains("INDEX", StringComparison.Ordinal));
}
