using Tocsin.Alerts;
using Tocsin.Decode;
using static Tocsin.Decode.PacketBuilder;

namespace Tocsin.Checks.Tests;

public class HostCheckTests
{
    private const string Scanner = "172.16.0.8@0";
    private const string Target = "64.13.134.52@0";

    /// <summary>synscan.pcap: 172.16.0.8 sends ~2000 SYNs to 64.13.134.52 in 6 s; the capture lasts 23 s (one partial minute).</summary>
    private static Scenario SynScanCapture(params string[] checks)
    {
        var s = new Scenario().Local("172.16.0.0/12");
        foreach (var c in checks)
            s.Enable(c);
        return s.RunShared("synscan.pcap");
    }

    [Fact]
    public void Syn_scan_flags_the_scanner_as_attacker_and_the_target_as_victim()
    {
        var s = SynScanCapture("syn_scan");
        var engaged = s.Of("syn_scan", AlertAction.Engage);
        Assert.Equal(2, engaged.Count);
        var attacker = Assert.Single(engaged, a => a.EntityValue == Scanner);
        var victim = Assert.Single(engaged, a => a.EntityValue == Target);
        Assert.True(attacker.Host!.IsAttacker);
        Assert.True(victim.Host!.IsVictim);
        Assert.Equal(1982, (long)attacker.Params["value"]!);
        Assert.Equal(1982, (long)victim.Params["value"]!);
        Assert.Equal(256, (long)attacker.Params["threshold"]!);
        Assert.Equal(50, attacker.Score);
        Assert.Equal(AlertEntity.Host, attacker.Entity);
        Assert.Equal(5, attacker.Type.Id);
        // The capture ends inside its first minute: the alerts are engaged at the end and released on close.
        Assert.Equal(2, s.Summary!.EngagedAtEnd.Count);
        var released = s.Of("syn_scan", AlertAction.Release);
        Assert.Equal(2, released.Count);
        long last = s.Summary.LastPacketNs / 1_000_000_000;
        Assert.All(released, r => Assert.Equal(last, r.TstampEnd));
    }

    [Fact]
    public void Flow_flood_and_syn_flood_fire_on_the_scan_bursts()
    {
        var s = SynScanCapture("flow_flood", "syn_flood");
        foreach (var name in new[] { "flow_flood", "syn_flood" })
        {
            var engaged = s.Of(name, AlertAction.Engage);
            Assert.Equal([Scanner, Target], engaged.Select(a => a.EntityValue).Order(StringComparer.Ordinal));
            Assert.All(engaged, a => Assert.Equal(708, (long)a.Params["value"]!));
        }
        Assert.Equal(250, s.Of("syn_flood")[0].Score);
        Assert.Equal(Severity.Emergency, s.Of("syn_flood")[0].Severity);
    }

    [Theory]
    [InlineData("6in4tunnel.pcap")]
    [InlineData("http_ipv6.pcap")]
    [InlineData("skype.pcap")]
    [InlineData("coap_mqtt.pcap")]
    public void Host_checks_stay_silent_on_ordinary_traffic(string capture)
    {
        var s = new Scenario().Enable("syn_scan").Enable("flow_flood").Enable("syn_flood").RunShared(capture);
        Assert.True(s.Summary!.Flows > 0);
        Assert.Empty(s.Events);
    }

    [Fact]
    public void Thresholds_are_honoured()
    {
        var s = new Scenario().Local("172.16.0.0/12")
            .Enable("syn_scan", ("threshold", "1982"))
            .Enable("flow_flood", ("threshold", "708"))
            .Enable("syn_flood", ("threshold", "707"))
            .RunShared("synscan.pcap");
        Assert.Empty(s.Of("syn_scan"));
        Assert.Empty(s.Of("flow_flood"));
        Assert.Equal(2, s.Of("syn_flood", AlertAction.Engage).Count);
    }

    [Fact]
    public void Excluded_hosts_raise_nothing()
    {
        var s = new Scenario().Enable("syn_scan", ("exclude", "172.16.0.0/24")).RunShared("synscan.pcap");
        Assert.Equal(Target, Assert.Single(s.Of("syn_scan", AlertAction.Engage)).EntityValue);
    }

    [Fact]
    public void Unanswered_syns_spread_over_a_minute_are_a_scan_but_not_a_flood()
    {
        var scanner = IpAddr.Parse("10.1.1.1");
        var target = IpAddr.Parse("10.1.1.2");
        var s = new Scenario().Enable("syn_scan", ("threshold", "100")).Enable("syn_flood", ("threshold", "100")).Enable("flow_flood", ("threshold", "100"));
        for (int i = 0; i < 150; i++)
            s.At(0.3 * i, Tcp(scanner, 40000, target, (ushort)(i + 1), TcpFlags.Syn, 1));
        s.At(70, Udp(scanner, 1, target, 2));
        s.Run();
        Assert.Equal(2, s.Of("syn_scan", AlertAction.Engage).Count);
        Assert.Empty(s.Of("syn_flood"));
        Assert.Empty(s.Of("flow_flood"));
    }

    [Fact]
    public void Answered_syns_are_not_a_scan()
    {
        var client = IpAddr.Parse("10.1.1.1");
        var server = IpAddr.Parse("10.1.1.2");
        var s = new Scenario().Enable("syn_scan", ("threshold", "10"));
        for (int i = 0; i < 50; i++)
        {
            s.At(i, Tcp(client, (ushort)(30000 + i), server, 443, TcpFlags.Syn, 1));
            s.At(i + 0.01, Tcp(server, 443, client, (ushort)(30000 + i), TcpFlags.Syn | TcpFlags.Ack, 9, 2));
        }
        s.Run();
        Assert.Empty(s.Events);
    }

    /// <summary>Engaged while the condition holds (refreshed, not re-sent), released at the first minute where it does not.</summary>
    [Fact]
    public void An_alert_is_engaged_updated_and_released_on_the_capture_clock()
    {
        var a = IpAddr.Parse("10.9.9.9");
        var b = IpAddr.Parse("10.9.9.10");
        var s = new Scenario().Enable("syn_scan", ("threshold", "10"));
        ushort port = 1;
        void Burst(double at, int syns)
        {
            for (int i = 0; i < syns; i++)
                s.At(at + i * 0.01, Tcp(a, 50000, b, port++, TcpFlags.Syn, 7));
        }
        Burst(5, 20);     // minute 0: 20 unanswered SYNs
        Burst(65, 30);    // minute 1: 30
        s.At(130, Udp(a, 1, b, 1));  // minute 2: quiet
        Burst(185, 15);   // minute 3: again
        s.At(250, Udp(a, 1, b, 1));  // the capture ends in minute 4
        s.Run();

        var mine = s.Events.Where(e => e.EntityValue == "10.9.9.9@0").ToList();
        Assert.Equal([AlertAction.Engage, AlertAction.Release, AlertAction.Engage, AlertAction.Release], mine.Select(e => e.Action));
        Assert.Equal(Scenario.Seconds(60), mine[0].Tstamp);
        Assert.Equal(20, (long)mine[0].Params["value"]!);
        Assert.Equal(Scenario.Seconds(60), mine[1].Tstamp);
        Assert.Equal(Scenario.Seconds(180), mine[1].TstampEnd);
        Assert.Equal(30, (long)mine[1].Params["value"]!);   // the release carries the last refresh
        Assert.Equal(Scenario.Seconds(240), mine[2].Tstamp);
        // The capture ends 10 s into minute 4, too early to say the scan stopped: still engaged, released on close.
        Assert.Equal(Scenario.Seconds(250), mine[3].TstampEnd);
        Assert.Contains(s.Summary!.EngagedAtEnd, e => e.EntityValue == "10.9.9.9@0" && e.Tstamp == Scenario.Seconds(240));
    }
}
