using Tocsin.Decode;
using static Tocsin.Decode.PacketBuilder;

namespace Tocsin.Traffic.Tests;

public class HostTrackingTests
{
    private static readonly IpAddr Local1 = IpAddr.Parse("192.168.1.10");
    private static readonly IpAddr Local2 = IpAddr.Parse("192.168.1.20");
    private static readonly IpAddr Remote = IpAddr.Parse("203.0.113.5");

    [Fact]
    public void Hosts_are_local_inside_the_configured_networks()
    {
        var h = new TrafficHarness(null, "192.168.1.0/24");
        h.Send(0, Udp(Local1, 1000, Remote, 53));
        var local = h.Tracker.Hosts.Find(new HostKey(Local1, 0))!;
        var remote = h.Tracker.Hosts.Find(new HostKey(Remote, 0))!;
        Assert.True(local.IsLocal);
        Assert.Equal(0, local.NetworkIndex);
        Assert.False(remote.IsLocal);
        Assert.Equal(-1, remote.NetworkIndex);
        Assert.Equal("192.168.1.10@0", local.EntityValue);
    }

    [Fact]
    public void Host_counters_follow_packets_flows_and_tcp_flags()
    {
        var h = new TrafficHarness();
        byte[][] fromLocal =
        [
            Tcp(Local1, 40000, Remote, 80, TcpFlags.Syn, 1),
            Tcp(Local1, 40000, Remote, 80, TcpFlags.Fin | TcpFlags.Ack, 2, 2, new byte[10]),
            Tcp(Local1, 40001, Remote, 81, TcpFlags.Syn, 1),
            Icmp(Local1, Remote, 8, 0, new byte[32]),
        ];
        h.Send(0, fromLocal[0]);
        h.Send(0.1, Tcp(Remote, 80, Local1, 40000, TcpFlags.Syn | TcpFlags.Ack, 1, 2));
        h.Send(0.2, fromLocal[1]);
        h.Send(0.3, Tcp(Remote, 80, Local1, 40000, TcpFlags.Rst, 2));
        h.Send(0.4, fromLocal[2]);
        h.Send(0.5, fromLocal[3]);
        var c = h.Tracker.Hosts.Find(new HostKey(Local1, 0))!;
        var s = h.Tracker.Hosts.Find(new HostKey(Remote, 0))!;
        Assert.Equal(4, c.Totals.PacketsSent);
        Assert.Equal(2, c.Totals.PacketsReceived);
        Assert.Equal(2, s.Totals.PacketsSent);
        Assert.Equal(fromLocal.Sum(f => f.Length), c.Totals.BytesSent);
        Assert.Equal(c.Totals.BytesSent, s.Totals.BytesReceived);
        Assert.Equal(3, c.Totals.FlowsAsClient);
        Assert.Equal(3, c.ActiveFlowsAsClient);
        Assert.Equal(3, s.Totals.FlowsAsServer);
        Assert.Equal(2, c.Totals.SynSent);
        Assert.Equal(2, s.Totals.SynReceived);
        Assert.Equal(1, s.Totals.SynAckSent);
        Assert.Equal(1, c.Totals.SynAckReceived);
        Assert.Equal(1, c.Totals.FinSent);
        Assert.Equal(1, s.Totals.FinReceived);
        Assert.Equal(1, s.Totals.RstSent);
        Assert.Equal(1, c.Totals.RstReceived);
        Assert.Equal(1, c.Totals.IcmpSent);
        Assert.Equal(1, s.Totals.IcmpReceived);
        Assert.Equal(2, c.Interval.Counts.SynSent);
        Assert.Equal(3, c.Interval.Counts.FlowsAsClient);
        Assert.Equal(1, c.Interval.Peers.Count);
        Assert.Equal(2, c.Interval.ServerPorts.Count);
    }

    [Fact]
    public void Dns_ntp_and_smtp_servers_contacted_are_counted_distinctly()
    {
        var h = new TrafficHarness();
        for (uint i = 1; i <= 3; i++)
        {
            h.Send(0, Udp(Local1, (ushort)(1000 + i), IpAddr.FromV4(0x08080800 + i), 53));
            h.Send(0, Udp(Local1, (ushort)(2000 + i), IpAddr.FromV4(0x08080800 + i), 53));
        }
        h.Send(0, Udp(Local1, 3001, Remote, 123));
        h.Send(0, Tcp(Local1, 3002, Remote, 25, TcpFlags.Syn));
        h.Send(0, Tcp(Local1, 3003, Remote, 587, TcpFlags.Syn));
        var c = h.Tracker.Hosts.Find(new HostKey(Local1, 0))!;
        Assert.Equal(3, c.Interval.DnsServers.Count);
        Assert.Equal(1, c.Interval.NtpServers.Count);
        Assert.Equal(1, c.Interval.SmtpServers.Count);
        Assert.Equal(4, c.Interval.Peers.Count);
    }

    [Fact]
    public void Peak_rates_measure_the_busiest_second()
    {
        var h = new TrafficHarness();
        for (int i = 0; i < 30; i++)
            h.Send(0.5 + i * 0.01, Tcp(Local1, (ushort)(10000 + i), Remote, 80, TcpFlags.Syn));
        for (int i = 0; i < 10; i++)
            h.Send(1.5 + i * 0.01, Tcp(Local1, (ushort)(20000 + i), Remote, 80, TcpFlags.Syn));
        var c = h.Tracker.Hosts.Find(new HostKey(Local1, 0))!;
        Assert.Equal(30, c.Interval.NewFlowsAsClientRate.Peak);
        Assert.Equal(30, c.Interval.SynSentRate.Peak);
        var s = h.Tracker.Hosts.Find(new HostKey(Remote, 0))!;
        Assert.Equal(30, s.Interval.SynReceivedRate.Peak);
        c.StartInterval();
        Assert.Equal(0, c.Interval.NewFlowsAsClientRate.Peak);
        Assert.Equal(0, c.Interval.Counts.SynSent);
        Assert.Equal(40, c.Totals.SynSent);
        h.Send(1.9, Tcp(Local1, 30000, Remote, 80, TcpFlags.Syn));   // the same second goes on after a tick
        Assert.Equal(1, c.Interval.NewFlowsAsClientRate.Peak);
    }

    [Fact]
    public void Idle_hosts_without_flows_are_purged_local_ones_later()
    {
        var h = new TrafficHarness(new TrafficOptions { FlowIdleTimeout = TimeSpan.FromSeconds(10) }, "192.168.1.0/24");
        h.Send(0, Udp(Local1, 1000, Remote, 53));
        Assert.Equal(0, h.Tracker.PurgeHosts(TrafficHarness.At(100)));  // the flow is still active
        h.Tracker.ExpireFlows(TrafficHarness.At(100));
        Assert.Equal(1, h.Tracker.PurgeHosts(TrafficHarness.At(100)));   // remote: 60 s
        Assert.Contains("removed 203.0.113.5@0", h.Events);
        Assert.Equal(0, h.Tracker.PurgeHosts(TrafficHarness.At(299)));
        Assert.Equal(1, h.Tracker.PurgeHosts(TrafficHarness.At(300)));   // local: 300 s
        Assert.Equal(0, h.Tracker.Hosts.Count);
        Assert.Equal(2, h.Tracker.Hosts.Created);
    }

    [Fact]
    public void A_full_host_table_refuses_the_flow()
    {
        var h = new TrafficHarness(new TrafficOptions { MaxHosts = 2 });
        h.Send(0, Udp(Local1, 1000, Remote, 53));
        Assert.Null(h.Send(0, Udp(Local2, 1000, Remote, 53)));
        Assert.Equal(1, h.Tracker.Hosts.Refused);
        Assert.Equal(0, h.Tracker.Flows.Refused);   // the flow table had room
        Assert.Equal(1, h.Tracker.UnattributedPackets);
    }

    [Fact]
    public void A_flow_refused_for_one_of_its_hosts_adds_neither()
    {
        var h = new TrafficHarness(new TrafficOptions { MaxHosts = 3 });
        h.Send(0, Udp(Local1, 1000, Remote, 53));
        Assert.Null(h.Send(0, Udp(Local2, 1000, IpAddr.Parse("203.0.113.6"), 53)));   // room for one host, not two
        Assert.Equal(2, h.Tracker.Hosts.Count);
        Assert.Equal(2, h.Tracker.Hosts.Refused);
        Assert.Null(h.Tracker.Hosts.Find(new HostKey(Local2, 0)));
        Assert.NotNull(h.Send(1, Udp(Local2, 1000, Remote, 53)));   // one new host fits
        Assert.NotNull(h.Send(2, Udp(Local1, 1000, Local1, 2000)));  // a host talking to itself is one host
        Assert.Equal(3, h.Tracker.Hosts.Count);
    }

    [Fact]
    public void A_full_flow_table_adds_no_hosts()
    {
        var h = new TrafficHarness(new TrafficOptions { MaxFlows = 1 });
        h.Send(0, Udp(Local1, 1000, Remote, 53));
        Assert.Null(h.Send(0, Udp(Local2, 1000, IpAddr.Parse("203.0.113.6"), 53)));
        Assert.Equal(1, h.Tracker.Flows.Refused);
        Assert.Equal(0, h.Tracker.Hosts.Refused);
        Assert.Equal(2, h.Tracker.Hosts.Count);
        Assert.Equal(2, h.Tracker.Hosts.Created);
    }

    [Fact]
    public void A_full_merged_table_refuses_absorbed_hosts_and_counts_them()
    {
        var (worker, merged) = TwoFlowsMerged(mergedMax: 2);
        Assert.Equal(2, merged.Count);
        Assert.Equal(2, merged.Created);
        Assert.Equal(1, merged.Refused);
        Assert.Null(merged.Find(new HostKey(Local2, 0)));
        Assert.Equal(2, merged.Find(new HostKey(Remote, 0))!.ActiveFlowsAsServer);
        // The refused host's interval is dropped, not kept for a later merge.
        Assert.Equal(0, worker.Tracker.Hosts.Find(new HostKey(Local2, 0))!.Interval.Counts.PacketsSent);
    }

    /// <summary>
    /// A host refused by a full merged table still has its flows counted once it finds room: the share handed its
    /// active flows over, so the merged table keeps them for it rather than starting it at zero.
    /// </summary>
    [Fact]
    public void A_refused_host_keeps_its_active_flows_until_the_merged_table_has_room()
    {
        var (worker, merged) = TwoFlowsMerged(mergedMax: 2);
        Assert.Null(merged.Find(new HostKey(Local2, 0)));

        // Local1's flow ends and Local1 idles out of the merged table; Local2's flow goes on.
        worker.Send(50, Udp(Local2, 1000, Remote, 53));
        worker.Tracker.ExpireFlows(TrafficHarness.At(100));
        worker.Send(101, Udp(Local2, 1000, Remote, 53));
        Absorb(merged, worker, TrafficHarness.At(60));
        Assert.Equal(1, merged.Purge(TrafficHarness.At(500), new TrafficOptions(), _ => { }));
        worker.Send(502, Udp(Local2, 1000, Remote, 53));
        Absorb(merged, worker, TrafficHarness.At(120));

        var local2 = merged.Find(new HostKey(Local2, 0));
        Assert.NotNull(local2);
        Assert.Equal(1, local2.ActiveFlowsAsClient);
        Assert.Equal(1, merged.Find(new HostKey(Remote, 0))!.ActiveFlowsAsServer);
    }

    /// <summary>
    /// The merge folds only the hosts a worker changed, with the change in their active flows: a quiet host with an
    /// open flow keeps its count, an ended flow lowers it, and a host left without flows leaves the worker's table.
    /// </summary>
    [Fact]
    public void The_merge_folds_changed_hosts_and_their_active_flow_changes()
    {
        var (worker, merged) = TwoFlowsMerged(mergedMax: 100);
        Assert.Equal(2, merged.Find(new HostKey(Remote, 0))!.ActiveFlowsAsServer);

        worker.Send(100, Udp(Local1, 1000, Remote, 53));   // Local2's flow idles out; Local1's goes on
        worker.Tracker.ExpireFlows(TrafficHarness.At(200));
        worker.Send(201, Udp(Local1, 1000, Remote, 53));
        Absorb(merged, worker, TrafficHarness.At(60));
        Assert.Equal(1, merged.Find(new HostKey(Remote, 0))!.ActiveFlowsAsServer);
        Assert.Equal(1, merged.Find(new HostKey(Local1, 0))!.ActiveFlowsAsClient);
        Assert.Equal(0, merged.Find(new HostKey(Local2, 0))!.ActiveFlowsAsClient);
        Assert.Null(worker.Tracker.Hosts.Find(new HostKey(Local2, 0)));

        // Nothing changed since: a second merge counts nothing twice.
        Assert.Equal(0, Absorb(merged, worker, TrafficHarness.At(202)));
        Assert.Equal(1, merged.Find(new HostKey(Remote, 0))!.ActiveFlowsAsServer);
        Assert.Equal(3, merged.Find(new HostKey(Local1, 0))!.Totals.PacketsSent);
    }

    /// <summary>A worker with flows Local1 → Remote and Local2 → Remote, merged once into a table of <paramref name="mergedMax"/> hosts.</summary>
    private static (TrafficHarness Worker, HostTable Merged) TwoFlowsMerged(int mergedMax)
    {
        var worker = new TrafficHarness();
        worker.Tracker.Hosts.TrackChanges = true;
        worker.Send(0, Udp(Local1, 1000, Remote, 53));
        worker.Send(0, Udp(Local2, 1000, Remote, 53));
        var merged = new HostTable(mergedMax, LocalNetworks.None);
        Absorb(merged, worker, TrafficHarness.Start);
        return (worker, merged);
    }

    /// <summary>Folds what the worker's hosts changed since <paramref name="sinceNs"/> into the merged table; returns the shares.</summary>
    private static int Absorb(HostTable merged, TrafficHarness worker, long sinceNs)
    {
        var shares = new List<HostShare>();
        worker.Tracker.Hosts.ShareChanges(sinceNs, shares);
        foreach (var share in shares)
            merged.Absorb(share);
        return shares.Count;
    }

    [Fact]
    public void Interface_and_network_counters_split_ingress_egress_and_inner()
    {
        var h = new TrafficHarness(null, "192.168.1.0/24", "10.0.0.0/8");
        var egress = Udp(Local1, 1000, Remote, 53, new byte[10]);
        var ingress = Udp(Remote, 53, Local1, 1000, new byte[20]);
        var inner = Udp(Local1, 2000, Local2, 2000, new byte[30]);
        var across = Udp(Local1, 3000, IpAddr.Parse("10.1.1.1"), 3000, new byte[40]);
        h.Send(0, egress);
        h.Send(0, ingress);
        h.Send(0, inner);
        h.Send(0, across);
        var lan = h.Tracker.Networks[h.Tracker.LocalNetworks.Networks.ToList().FindIndex(n => n.ToString() == "192.168.1.0/24")];
        var ten = h.Tracker.Networks[h.Tracker.LocalNetworks.Networks.ToList().FindIndex(n => n.ToString() == "10.0.0.0/8")];
        Assert.Equal(egress.Length + across.Length, lan.EgressBytes);
        Assert.Equal(ingress.Length, lan.IngressBytes);
        Assert.Equal(inner.Length, lan.InnerBytes);
        Assert.Equal(4, lan.Packets);
        Assert.Equal(3, lan.Flows);
        Assert.Equal(across.Length, ten.IngressBytes);
        Assert.Equal(1, ten.Flows);
        Assert.Equal(4, h.Tracker.Interface.Packets);
        Assert.Equal(egress.Length + ingress.Length + inner.Length + across.Length, h.Tracker.Interface.Bytes);
        Assert.Equal(3, h.Tracker.Interface.Flows);
    }
}
