using Tocsin.Alerts;
using Tocsin.Decode;
using Tocsin.Testing;
using Tocsin.Traffic;
using static Tocsin.Decode.PacketBuilder;

namespace Tocsin.Checks.Tests;

/// <summary>Sharding flows to several workers must not change a single alert or count.</summary>
public class WorkerTests
{
    /// <summary>An alert event as a comparable line (the order of events across workers may differ).</summary>
    private static string Describe(Alert a) =>
        $"{a.Action} {a.Type.FullName} {a.EntityValue} {a.Subtype} {a.Tstamp}-{a.TstampEnd} {a.Score} {a.Message} {a.Params.ToJsonString()} " +
        (a.Flow is { } f ? $"{f.Proto} {f.CliIp}:{f.CliPort}>{f.SrvIp}:{f.SrvPort} {f.Cli2SrvPackets}/{f.Srv2CliPackets} {f.FlowScore}" : "") +
        (a.Host is { } h ? $"{h.IsAttacker}{h.IsVictim}" : "");

    private static Scenario AllChecks(int workers, bool localNetworks = true)
    {
        var s = new Scenario { Workers = workers };
        if (localNetworks)
            s.Local("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16");
        foreach (var c in s.Catalog.All)
            c.Enabled = true;
        foreach (var t in s.Catalog.All.OfType<ThresholdCheck>())
        {
            Assert.Null(t.FindParameter("min")!.TrySet("gt 20K"));
            Assert.Null(t.FindParameter("5min")!.TrySet("gt 100"));
        }
        return s;
    }

    private static void AssertSame(Scenario one, Scenario many)
    {
        Assert.Equal(one.Events.Select(Describe).Order(StringComparer.Ordinal), many.Events.Select(Describe).Order(StringComparer.Ordinal));
        var (a, b) = (one.Summary!, many.Summary!);
        Assert.Equal((a.Packets, a.Flows, a.FlowPackets, a.Hosts, a.UnattributedPackets, a.EngagedAtEnd.Count),
            (b.Packets, b.Flows, b.FlowPackets, b.Hosts, b.UnattributedPackets, b.EngagedAtEnd.Count));
    }

    [Theory]
    [InlineData("synscan.pcap")]
    [InlineData("skype.pcap")]
    [InlineData("dnscrypt-v1-and-resolver-pings.pcap")]
    [InlineData("instagram.pcap")]
    [InlineData("6in4tunnel.pcap")]
    public void Shared_captures_give_the_same_alerts_with_three_workers(string capture)
    {
        // With local networks, a capture of one local host puts all its traffic on one worker; without them, host
        // pairs spread over the workers and the merge of their hosts is what keeps the alerts the same.
        foreach (bool local in new[] { true, false })
        {
            var one = AllChecks(1, local).RunShared(capture);
            var three = AllChecks(3, local).RunShared(capture);
            Assert.NotEmpty(one.Events);
            AssertSame(one, three);
            // synscan.pcap is a single host pair, which one worker takes whole.
            if (!local && one.Summary!.Hosts > 2)
                Assert.True(three.Summary!.FlowsPerWorker.Count(f => f > 0) >= 2, $"flows per worker: {string.Join(", ", three.Summary.FlowsPerWorker)}");
        }
    }

    /// <summary>flows.max is the analysis' table size: two workers share it, however the flows are spread.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_flow_table_size_is_shared_by_the_workers(bool localServer)
    {
        // 400 connection attempts from 400 clients within a second: every flow is still live when the table fills.
        // Without local networks the host pairs spread over both workers; with the server local, all its flows go
        // to one worker, which must still get the whole table.
        Scenario Run(int workers)
        {
            var s = AllChecks(workers, localNetworks: false).Traffic(new TrafficOptions { MaxFlows = 100 });
            if (localServer)
                s.Local("10.4.0.0/16");
            for (int i = 0; i < 400; i++)
                s.At(1 + i * 0.001, Tcp(IpAddr.Parse($"10.3.{i / 200}.{i % 200}"), 40000, IpAddr.Parse("10.4.0.1"), 80, TcpFlags.Syn));
            return s.Run();
        }
        var one = Run(1).Summary!;
        var two = Run(2).Summary!;
        Assert.Equal((100, 300), (one.Flows, one.FlowsRefused));
        Assert.Equal((100, 300L), (two.FlowsPerWorker.Sum(), two.FlowsRefused));
        // How the budget splits between workers that race for it is up to their timing, except when one worker has
        // every flow.
        if (localServer)
            Assert.Equal([0, 100], two.FlowsPerWorker.Order());
    }

    /// <summary>Every worker reads the capture itself: a truncated one stops all of them at the same record, reported once.</summary>
    [Fact]
    public void A_truncated_capture_stops_every_worker_at_the_same_place()
    {
        var path = Path.Combine(Path.GetTempPath(), $"tocsin-cut-{Guid.NewGuid():N}.pcap");
        try
        {
            var bytes = File.ReadAllBytes(SharedData.NdpiPcap("instagram.pcap"));
            File.WriteAllBytes(path, bytes[..(bytes.Length * 2 / 3)]);
            var one = AllChecks(1).RunFile(path);
            var two = AllChecks(2).RunFile(path);
            Assert.NotNull(one.CaptureError);
            Assert.Equal(one.CaptureError, two.CaptureError);
            Assert.Single(two.Summary!.CaptureErrors);
            Assert.InRange(two.Summary.Packets, 1000, 3443 - 1);
            AssertSame(one, two);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>
    /// Workers that do not read the same bytes (a capture still being written, opened at different lengths) must not
    /// wait for each other forever: one that finishes leaves, and the ticks after it do not wait for it.
    /// </summary>
    [Fact(Timeout = 120_000)]
    public async Task Workers_that_read_different_lengths_do_not_wait_for_each_other()
    {
        var bytes = await File.ReadAllBytesAsync(SharedData.NdpiPcap("dnscrypt-v1-and-resolver-pings.pcap"));   // 69 minutes
        int opened = 0;
        // The first worker sees a third of the capture, the others all of it: they cross different minute ticks.
        Capture.ICaptureReader Open() => Capture.CaptureFile.Open(
            new MemoryStream(Interlocked.Increment(ref opened) == 1 ? bytes[..(bytes.Length / 3)] : bytes), "growing.pcap");
        var s = await Task.Run(() => AllChecks(3, localNetworks: false).Run(Open));
        Assert.Equal(3, opened);
        Assert.True(s.Summary!.Packets > 0);
    }

    /// <summary>A scan split across workers by host pair: only the merged per-host counts cross the thresholds.</summary>
    [Fact]
    public void Host_counters_are_merged_across_workers_before_host_checks()
    {
        Scenario Build(int workers)
        {
            var s = new Scenario { Workers = workers }.Enable("syn_scan", ("threshold", "100")).Enable("flow_flood", ("threshold", "60"))
                .Enable("syn_flood", ("threshold", "60")).Enable("host_flows", ("min", "gt 150"));
            var scanner = IpAddr.Parse("10.1.1.1");
            for (int i = 0; i < 200; i++)
                s.At(1 + i * 0.01, Tcp(scanner, (ushort)(20000 + i), IpAddr.Parse("10.1.2." + (i % 200)), 22, TcpFlags.Syn));
            s.At(90, Udp(scanner, 1, IpAddr.Parse("10.9.9.9"), 1));
            return s.Run();
        }
        var one = Build(1);
        var four = Build(4);
        Assert.Equal(["flow_flood", "syn_flood", "syn_scan", "traffic_volume"], one.Events.Where(e => e.Action == AlertAction.Engage).Select(e => e.Type.Name).Order());
        Assert.Equal(200, (long)one.Of("syn_scan")[0].Params["value"]!);
        AssertSame(one, four);
    }

    private sealed class FailingInspector : Traffic.IFlowInspector
    {
        private int packets;

        public bool Inspect(Traffic.Flow flow, in DecodedPacket packet, ReadOnlySpan<byte> frame, bool fromClient) =>
            Interlocked.Increment(ref packets) < 500 ? false : throw new InvalidOperationException("inspector broke");

        public void GiveUp(Traffic.Flow flow)
        {
        }

        public void Release(Traffic.Flow flow)
        {
        }
    }

    /// <summary>A worker that fails stops the analysis with its error instead of leaving the reader waiting for it.</summary>
    [Fact]
    public void A_failing_worker_surfaces_its_error()
    {
        var s = new Scenario { Workers = 2, Inspector = new FailingInspector() };
        var e = Assert.Throws<InvalidOperationException>(() => s.RunShared("skype.pcap"));
        Assert.Equal("inspector broke", e.Message);
    }
}
