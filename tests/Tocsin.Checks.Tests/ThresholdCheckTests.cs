using Tocsin.Alerts;
using Tocsin.Decode;
using static Tocsin.Decode.PacketBuilder;

namespace Tocsin.Checks.Tests;

public class ThresholdCheckTests
{
    private static readonly IpAddr Lan1 = IpAddr.Parse("192.168.1.10");
    private static readonly IpAddr Lan2 = IpAddr.Parse("192.168.2.10");
    private static readonly IpAddr Outside = IpAddr.Parse("198.51.100.1");

    /// <summary>Sends <paramref name="count"/> small UDP packets within the minute starting at <paramref name="minute"/>.</summary>
    private static Scenario Packets(Scenario s, int minute, int count, IpAddr? from = null, IpAddr? to = null)
    {
        for (int i = 0; i < count; i++)
            s.At(minute * 60 + 1 + i * (50.0 / Math.Max(1, count)), Udp(from ?? Lan1, 1000, to ?? Outside, 2000, new byte[58]));
        return s;
    }

    [Fact]
    public void Interface_gt_threshold_engages_while_crossed_and_releases_after()
    {
        var s = new Scenario().Enable("interface_packets", ("min", "gt 50"));
        Packets(s, 0, 100);
        Packets(s, 1, 80);
        Packets(s, 2, 10);
        Packets(s, 3, 5);
        s.Run();
        var events = s.Of("threshold_cross");
        Assert.Equal([AlertAction.Engage, AlertAction.Release], events.Select(e => e.Action));
        var engage = events[0];
        Assert.Equal(4136, engage.Type.Id);
        Assert.Equal(AlertEntity.Interface, engage.Entity);
        Assert.Equal("0", engage.EntityValue);
        Assert.Equal("interface_packets", engage.Subtype);
        Assert.Equal(60, engage.Granularity);
        Assert.Equal(Scenario.Seconds(60), engage.Tstamp);
        Assert.Equal(100, (long)engage.Params["value"]!);
        Assert.Equal("gt", (string)engage.Params["operator"]!);
        Assert.Equal(50, (long)engage.Params["threshold"]!);
        Assert.Equal(Scenario.Seconds(180), events[1].TstampEnd);
        Assert.Equal(80, (long)events[1].Params["value"]!);
    }

    [Fact]
    public void Lt_thresholds_catch_quiet_periods_but_not_a_partial_one()
    {
        var s = new Scenario().Enable("interface_packets", ("min", "lt 20"));
        Packets(s, 0, 100);
        Packets(s, 1, 10);
        Packets(s, 2, 100);
        Packets(s, 3, 3);   // the capture ends during minute 3: too early to say it stayed below
        s.Run();
        var events = s.Of("threshold_cross");
        Assert.Equal([AlertAction.Engage, AlertAction.Release], events.Select(e => e.Action));
        Assert.Equal(Scenario.Seconds(120), events[0].Tstamp);
        Assert.Equal(10, (long)events[0].Params["value"]!);
        Assert.Equal(Scenario.Seconds(180), events[1].TstampEnd);
    }

    [Fact]
    public void A_partial_last_period_does_not_release_what_is_engaged()
    {
        var s = new Scenario().Enable("interface_packets", ("min", "gt 50"));
        Packets(s, 0, 100);
        Packets(s, 1, 80);
        Packets(s, 2, 10);   // the capture ends during minute 2: too early to say the rate dropped
        s.Run();
        var engaged = Assert.Single(s.Summary!.EngagedAtEnd);
        Assert.Equal(Scenario.Seconds(60), engaged.Tstamp);
        Assert.Equal(80, (long)engaged.Params["value"]!);
        var events = s.Of("threshold_cross");
        Assert.Equal([AlertAction.Engage, AlertAction.Release], events.Select(e => e.Action));
        Assert.Equal(Scenario.Seconds(166), events[1].TstampEnd);   // released with the analysis, at the last packet
    }

    [Fact]
    public void Each_granularity_has_its_own_alert()
    {
        var s = new Scenario().Enable("interface_flows", ("min", "gt 5"), ("5min", "gt 20"));
        for (int minute = 0; minute < 6; minute++)
        {
            for (int i = 0; i < 8; i++)
                s.At(minute * 60 + 1 + i, Udp(Lan1, (ushort)(1000 + minute * 10 + i), Outside, 53));
        }
        s.Run();
        var byGranularity = s.Of("threshold_cross", AlertAction.Engage).GroupBy(e => e.Granularity).ToDictionary(g => g.Key, g => g.ToList());
        Assert.Equal(Scenario.Seconds(60), Assert.Single(byGranularity[60]).Tstamp);
        var fiveMinutes = Assert.Single(byGranularity[300]);
        Assert.Equal(Scenario.Seconds(300), fiveMinutes.Tstamp);
        Assert.Equal(40, (long)fiveMinutes.Params["value"]!);
    }

    [Fact]
    public void Network_thresholds_are_per_local_network_and_direction()
    {
        var s = new Scenario().Local("192.168.1.0/24", "192.168.2.0/24")
            .Enable("network_egress_bytes", ("min", "gt 5K"))
            .Enable("network_ingress_bytes", ("min", "gt 5K"));
        Packets(s, 0, 100, Lan1, Outside);   // 192.168.1.0/24 sends 10 KB out
        Packets(s, 0, 10, Lan2, Outside);    // 192.168.2.0/24 sends 1 KB
        Packets(s, 1, 1);
        s.Run();
        var alert = Assert.Single(s.Of("threshold_cross", AlertAction.Engage));
        Assert.Equal(AlertEntity.Network, alert.Entity);
        Assert.Equal("192.168.1.0/24", alert.EntityValue);
        Assert.Equal("network_egress_bytes", alert.Subtype);
        Assert.Equal(100 * (14 + 20 + 8 + 58), (long)alert.Params["value"]!);
    }

    [Fact]
    public void Host_thresholds_raise_host_traffic_volume_alerts()
    {
        var s = new Scenario().Enable("host_packets", ("min", "gt 50"), ("exclude", "198.51.100.0/24"));
        Packets(s, 0, 60, Lan1, Outside);
        Packets(s, 0, 20, Lan2, Outside);
        Packets(s, 1, 1);
        s.Run();
        var alert = Assert.Single(s.Of("traffic_volume", AlertAction.Engage));
        Assert.Equal(26, alert.Type.Id);
        Assert.Equal(AlertEntity.Host, alert.Entity);
        Assert.Equal("192.168.1.10@0", alert.EntityValue);
        Assert.Equal(60, (long)alert.Params["value"]!);
        Assert.Equal(Scores.Error, alert.Score);
    }

    [Fact]
    public void Unset_thresholds_are_not_evaluated()
    {
        var s = new Scenario().Enable("interface_bytes");
        Packets(s, 0, 100);
        Packets(s, 1, 1);
        s.Run();
        Assert.Empty(s.Events);
    }

    [Fact]
    public void A_partial_last_period_is_evaluated_for_gt()
    {
        var s = new Scenario().Enable("interface_bytes", ("min", "gt 100K")).RunShared("synscan.pcap");
        var engage = Assert.Single(s.Of("threshold_cross", AlertAction.Engage));
        Assert.Equal(116_670, (long)engage.Params["value"]!, tolerance: 10);
        Assert.Contains("partial period", engage.Message, StringComparison.Ordinal);
        Assert.Single(s.Summary!.EngagedAtEnd);
        Assert.Empty(new Scenario().Enable("interface_bytes", ("min", "gt 200K")).RunShared("synscan.pcap").Events);
    }
}

/// <summary>Every threshold check, on the metric it names: fires above its bound and stays silent below it.</summary>
public class EveryThresholdMetricTests
{
    private static readonly IpAddr Lan = IpAddr.Parse("192.168.1.10");
    private static readonly IpAddr Lan2 = IpAddr.Parse("192.168.1.20");
    private static readonly IpAddr Outside = IpAddr.Parse("198.51.100.1");

    /// <summary>
    /// Minute 0: 20 new UDP flows of one 100-byte packet each, 10 out of the LAN, 5 into it and 5 inside it
    /// (2,000 bytes, 20 packets, 20 flows seen by the interface, the network and the host 192.168.1.10).
    /// </summary>
    private static Scenario Traffic(Scenario s)
    {
        for (int i = 0; i < 10; i++)
            s.At(1 + i, Udp(Lan, (ushort)(1000 + i), Outside, 53, new byte[58]));
        for (int i = 0; i < 5; i++)
            s.At(20 + i, Udp(Outside, (ushort)(2000 + i), Lan, 80, new byte[58]));
        for (int i = 0; i < 5; i++)
            s.At(30 + i, Udp(Lan, (ushort)(3000 + i), Lan2, 80, new byte[58]));
        s.At(70, Udp(Lan, 9, Lan2, 9, new byte[58]));
        return s;
    }

    [Theory]
    [InlineData("interface_bytes", 2000, AlertEntity.Interface, "0")]
    [InlineData("interface_packets", 20, AlertEntity.Interface, "0")]
    [InlineData("interface_flows", 20, AlertEntity.Interface, "0")]
    [InlineData("network_bytes", 2000, AlertEntity.Network, "192.168.1.0/24")]
    [InlineData("network_packets", 20, AlertEntity.Network, "192.168.1.0/24")]
    [InlineData("network_flows", 20, AlertEntity.Network, "192.168.1.0/24")]
    [InlineData("network_egress_bytes", 1000, AlertEntity.Network, "192.168.1.0/24")]
    [InlineData("network_ingress_bytes", 500, AlertEntity.Network, "192.168.1.0/24")]
    [InlineData("network_inner_bytes", 500, AlertEntity.Network, "192.168.1.0/24")]
    [InlineData("host_bytes", 2000, AlertEntity.Host, "192.168.1.10@0")]
    [InlineData("host_packets", 20, AlertEntity.Host, "192.168.1.10@0")]
    [InlineData("host_flows", 20, AlertEntity.Host, "192.168.1.10@0")]
    public void The_check_measures_its_metric(string key, long expected, AlertEntity entity, string entityValue)
    {
        var fired = Traffic(new Scenario().Local("192.168.1.0/24").Enable(key, ("min", $"gt {expected - 1}"))).Run();
        var alert = Assert.Single(fired.Events, e => e.Action == AlertAction.Engage && e.EntityValue == entityValue);
        Assert.Equal(entity, alert.Entity);
        Assert.Equal(expected, (long)alert.Params["value"]!);
        Assert.Equal(Scenario.Seconds(60), alert.Tstamp);

        var silent = Traffic(new Scenario().Local("192.168.1.0/24").Enable(key, ("min", $"gt {expected}"))).Run();
        Assert.DoesNotContain(silent.Events, e => e.EntityValue == entityValue && e.Tstamp == Scenario.Seconds(60));
    }
}
