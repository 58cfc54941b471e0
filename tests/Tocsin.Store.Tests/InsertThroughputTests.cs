using System.Diagnostics;
using Tocsin.Alerts;
using Xunit.Abstractions;

namespace Tocsin.Store.Tests;

/// <summary>Reports insert speed in the test output; asserts only what was stored, never timings.</summary>
public sealed class InsertThroughputTests(ITestOutputHelper output) : StoreTestBase
{
    [Theory]
    [InlineData(AlertEntity.Flow, 50_000)]
    [InlineData(AlertEntity.Host, 50_000)]
    public void BatchedInserts_AreAllStored(AlertEntity entity, int count)
    {
        var alerts = Enumerable.Range(0, count)
            .Select(i => entity == AlertEntity.Flow
                ? TestAlerts.Flow($"alert {i}", 1_700_000_000 + i, cliIp: $"10.0.{i / 256 % 256}.{i % 256}", cliPort: 1024 + i % 60000)
                : TestAlerts.Host($"alert {i}", 1_700_000_000 + i, ip: $"10.0.{i / 256 % 256}.{i % 256}"))
            .ToList();
        using var store = Open();

        var clock = Stopwatch.StartNew();
        foreach (var alert in alerts)
            store.Add(alert);
        store.Flush();
        clock.Stop();

        output.WriteLine($"{entity}: {count} alerts in {clock.Elapsed.TotalMilliseconds:F0} ms = {count / clock.Elapsed.TotalSeconds:F0} alerts/s");
        Assert.Equal(count, store.Count(new AlertQuery()));
        Assert.Equal(count, alerts.Select(a => a.RowId).Where(id => id > 0).Distinct().Count());
    }
}
