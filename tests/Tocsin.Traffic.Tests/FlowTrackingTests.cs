using Tocsin.Decode;
using static Tocsin.Decode.PacketBuilder;

namespace Tocsin.Traffic.Tests;

public class FlowTrackingTests
{
    private static readonly IpAddr A = IpAddr.Parse("10.0.0.1");
    private static readonly IpAddr B = IpAddr.Parse("10.0.0.2");
    private static readonly IpAddr C = IpAddr.Parse("192.0.2.7");

    [Fact]
    public void Both_directions_map_to_one_flow_oriented_from_the_syn_sender()
    {
        var h = new TrafficHarness();
        var f1 = h.Send(0, Tcp(A, 40000, B, 80, TcpFlags.Syn, 100));
        var f2 = h.Send(0.01, Tcp(B, 80, A, 40000, TcpFlags.Syn | TcpFlags.Ack, 900, 101));
        var f3 = h.Send(0.02, Tcp(A, 40000, B, 80, TcpFlags.Ack, 101, 901));
        Assert.NotNull(f1);
        Assert.Same(f1, f2);
        Assert.Same(f1, f3);
        Assert.Equal(A, f1!.ClientIp);
        Assert.Equal(40000, f1.ClientPort);
        Assert.Equal(B, f1.ServerIp);
        Assert.Equal(80, f1.ServerPort);
        Assert.Equal(2, f1.ClientToServer.Packets);
        Assert.Equal(1, f1.ServerToClient.Packets);
        Assert.True(f1.HandshakeCompleted);
        Assert.Equal(TcpFlags.Syn | TcpFlags.Ack, f1.ClientToServer.TcpFlags);
        Assert.Equal(1, h.Tracker.Flows.Count);
    }

    [Fact]
    public void A_syn_ack_seen_first_makes_its_receiver_the_client()
    {
        var h = new TrafficHarness();
        var f = h.Send(0, Tcp(B, 443, A, 51000, TcpFlags.Syn | TcpFlags.Ack, 1, 1))!;
        Assert.Equal(A, f.ClientIp);
        Assert.Equal(443, f.ServerPort);
        Assert.Equal(1, f.ServerToClient.Packets);
    }

    [Theory]
    [InlineData(53, 3333, false)]       // a DNS answer seen first: the sender is the server
    [InlineData(50000, 443, true)]      // a dynamic port talking to a well-known one
    [InlineData(9050, 55190, false)]    // registered vs dynamic: TCP picked up mid-conversation
    [InlineData(5060, 5060, true)]      // a tie: the first sender is the client
    [InlineData(40000, 40001, true)]
    public void Without_syn_the_more_server_like_port_is_the_server(ushort sourcePort, ushort destinationPort, bool sourceIsClient)
    {
        var h = new TrafficHarness();
        var f = h.Send(0, Udp(C, sourcePort, A, destinationPort, new byte[20]))!;
        Assert.Equal(sourceIsClient ? C : A, f.ClientIp);
        var t = new TrafficHarness().Send(0, Tcp(C, sourcePort, A, destinationPort, TcpFlags.Ack | TcpFlags.Psh, 1, 1, new byte[10]))!;
        Assert.Equal(sourceIsClient ? C : A, t.ClientIp);
    }

    [Fact]
    public void Bytes_count_whole_frames_and_goodput_counts_payload()
    {
        var h = new TrafficHarness();
        var frame = Udp(A, 40000, B, 40001, new byte[100]);
        var f = h.Send(0, frame)!;
        h.Send(1, Udp(B, 40001, A, 40000, new byte[30]));
        Assert.Equal(frame.Length, f.ClientToServer.Bytes);
        Assert.Equal(100, f.ClientToServer.GoodputBytes);
        Assert.Equal(30, f.ServerToClient.GoodputBytes);
        Assert.Equal(14 + 20 + 8 + 30, f.ServerToClient.Bytes);
    }

    [Fact]
    public void Vlan_and_protocol_separate_flows()
    {
        var h = new TrafficHarness();
        var f1 = h.Send(0, Udp(A, 1000, B, 2000, vlan: 10));
        var f2 = h.Send(0, Udp(A, 1000, B, 2000, vlan: 20));
        var f3 = h.Send(0, Tcp(A, 1000, B, 2000, TcpFlags.Syn));
        Assert.NotSame(f1, f2);
        Assert.NotSame(f1, f3);
        Assert.Equal(3, h.Tracker.Flows.Count);
        Assert.Equal(10, f1!.VlanId);
    }

    [Fact]
    public void Retransmissions_and_out_of_order_segments_are_counted_per_direction()
    {
        var h = new TrafficHarness();
        var data = new byte[100];
        var f = h.Send(0, Tcp(A, 40000, B, 80, TcpFlags.Syn, 1000))!;
        h.Send(0.01, Tcp(B, 80, A, 40000, TcpFlags.Syn | TcpFlags.Ack, 5000, 1001));
        h.Send(0.02, Tcp(A, 40000, B, 80, TcpFlags.Ack, 1001, 5001, data));     // 1001..1100
        h.Send(0.03, Tcp(A, 40000, B, 80, TcpFlags.Ack, 1001, 5001, data));     // retransmission
        h.Send(0.04, Tcp(A, 40000, B, 80, TcpFlags.Ack, 1301, 5001, data));     // gap: 1101..1300 missing
        h.Send(0.05, Tcp(A, 40000, B, 80, TcpFlags.Ack, 1401, 5001, data));     // in order after the gap
        h.Send(0.06, Tcp(A, 40000, B, 80, TcpFlags.Ack, 1500, 5001, new byte[1])); // keep-alive (seq = next - 1)
        h.Send(0.07, Tcp(B, 80, A, 40000, TcpFlags.Ack, 5001, 1501));           // pure ACK: no sequence space
        Assert.Equal(1, f.ClientToServer.Retransmissions);
        Assert.Equal(1, f.ClientToServer.OutOfOrder);
        Assert.Equal(0, f.ServerToClient.Retransmissions);
        Assert.Equal(0, f.ServerToClient.OutOfOrder);
    }

    [Fact]
    public void Zero_window_is_noted_but_not_on_resets()
    {
        var h = new TrafficHarness();
        var f = h.Send(0, Tcp(A, 40000, B, 80, TcpFlags.Syn, 1))!;
        h.Send(0.1, Tcp(B, 80, A, 40000, TcpFlags.Rst | TcpFlags.Ack, 0, 2, window: 0));
        Assert.False(f.ServerToClient.ZeroWindowSeen);
        h.Send(0.2, Tcp(A, 40000, B, 80, TcpFlags.Ack, 2, 1, window: 0));
        Assert.True(f.ClientToServer.ZeroWindowSeen);
    }

    [Fact]
    public void Idle_flows_end_after_the_idle_timeout_and_closed_ones_after_the_close_timeout()
    {
        var h = new TrafficHarness(new TrafficOptions { FlowIdleTimeout = TimeSpan.FromSeconds(60), TcpCloseTimeout = TimeSpan.FromSeconds(15) });
        h.Send(0, Udp(A, 1000, B, 2000));
        h.Send(0, Tcp(A, 40000, B, 80, TcpFlags.Syn, 1));
        h.Send(0.1, Tcp(B, 80, A, 40000, TcpFlags.Rst | TcpFlags.Ack, 0, 2));
        Assert.Equal(0, h.Tracker.ExpireFlows(TrafficHarness.At(15.09)));
        Assert.Equal(1, h.Tracker.ExpireFlows(TrafficHarness.At(15.1)));
        Assert.Contains(h.Ended, e => e.Name.StartsWith("TCP", StringComparison.Ordinal));
        Assert.Equal(0, h.Tracker.ExpireFlows(TrafficHarness.At(59.9)));
        Assert.Equal(1, h.Tracker.ExpireFlows(TrafficHarness.At(60)));
        Assert.Equal(0, h.Tracker.Flows.Count);
        Assert.Equal(2, h.Tracker.FlowsEnded);
    }

    [Fact]
    public void Fin_in_both_directions_closes_a_flow_and_a_new_syn_reopens_the_port_pair()
    {
        var h = new TrafficHarness();
        var first = h.Send(0, Tcp(A, 40000, B, 80, TcpFlags.Syn, 1))!;
        long firstId = first.Id;
        h.Send(0.1, Tcp(B, 80, A, 40000, TcpFlags.Syn | TcpFlags.Ack, 1, 2));
        h.Send(0.2, Tcp(A, 40000, B, 80, TcpFlags.Fin | TcpFlags.Ack, 2, 2));
        h.Send(0.3, Tcp(B, 80, A, 40000, TcpFlags.Fin | TcpFlags.Ack, 2, 3));
        Assert.True(first.IsClosing);
        var second = h.Send(1, Tcp(A, 40000, B, 80, TcpFlags.Syn, 500))!;
        Assert.NotEqual(firstId, second.Id);
        Assert.Single(h.Ended);
        Assert.Equal(TcpState.SynFromClient | TcpState.SynAckFromServer | TcpState.Established | TcpState.FinFromClient | TcpState.FinFromServer, h.Ended[0].Tcp);
    }

    [Fact]
    public void Later_fragments_are_not_attributed_to_flows()
    {
        var h = new TrafficHarness();
        var ip = UdpPacket(A, 1000, B, 2000, new byte[64]);
        ip[6] = 0x00;
        ip[7] = 0x08; // fragment offset 64 bytes: a later fragment
        ip[10] = ip[11] = 0;
        ushort sum = Checksum(ip.AsSpan(0, 20));
        ip[10] = (byte)(sum >> 8);
        ip[11] = (byte)sum;
        var frame = Ethernet(ip);
        var decoder = new PacketDecoder();
        DecodedPacket p = default;
        Assert.Equal(DecodeResult.Ip, decoder.Decode(frame, Capture.LinkType.Ethernet, frame.Length, ref p));
        Assert.True(p.IsLaterFragment);
        Assert.Null(h.Tracker.Process(in p, frame, TrafficHarness.Start));
        Assert.Equal(1, h.Tracker.UnattributedPackets);
        Assert.Equal(0, h.Tracker.Flows.Count);
    }

    [Fact]
    public void A_full_flow_table_refuses_new_flows_and_counts_them()
    {
        var h = new TrafficHarness(new TrafficOptions { MaxFlows = 3 });
        for (ushort port = 1; port <= 5; port++)
            h.Send(0, Udp(A, port, B, 9));
        Assert.Equal(3, h.Tracker.Flows.Count);
        Assert.Equal(2, h.Tracker.Flows.Refused);
        Assert.Equal(2, h.Tracker.UnattributedPackets);
        Assert.NotNull(h.Send(1, Udp(B, 9, A, 1)));
    }

    [Fact]
    public void Periodic_updates_walk_the_table_without_copying_it()
    {
        var h = new TrafficHarness(new TrafficOptions { FlowPeriodicInterval = TimeSpan.FromSeconds(60), FlowIdleTimeout = TimeSpan.FromSeconds(600) });
        for (ushort port = 1; port <= 1000; port++)
            h.Send(port < 500 ? 0 : 30, Udp(A, port, B, 9));
        Assert.Empty(h.Tracker.FlowsDueForPeriodicUpdate());   // none due yet (and the code is warm)
        h.Send(60, Udp(A, 1, B, 9));

        long before = GC.GetAllocatedBytesForCurrentThread();
        int due = 0;
        foreach (var _ in h.Tracker.FlowsDueForPeriodicUpdate())
            due++;
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(499, due);   // the flows begun at 0 s
        Assert.InRange(allocated, 0, 256);   // one enumerator, not a list of the 1,000 flows
        Assert.Empty(h.Tracker.FlowsDueForPeriodicUpdate());   // each was rescheduled
    }

    /// <summary>The table starts small and doubles as flows arrive (here four times); removals shift entries back within the grown table.</summary>
    [Fact]
    public void Many_flows_survive_insertions_removals_and_growth_of_the_table()
    {
        const int flows = 20_000;
        var h = new TrafficHarness(new TrafficOptions { MaxFlows = 50_000, FlowIdleTimeout = TimeSpan.FromSeconds(10) });
        foreach (int parity in new[] { 0, 1 })
        {
            for (int i = parity; i < flows; i += 2)
                h.Send(parity * 5, Udp(A, (ushort)(1000 + i), IpAddr.FromV4(0x0A00_0000u + (uint)(i % 97)), 53));
        }
        Assert.Equal(flows, h.Tracker.Flows.Count);
        Assert.Equal(0, h.Tracker.Flows.Refused);
        Assert.Equal(flows / 2, h.Tracker.ExpireFlows(TrafficHarness.At(10)));
        for (int i = 0; i < flows; i++)
        {
            var key = new FlowKey(A, (ushort)(1000 + i), IpAddr.FromV4(0x0A00_0000u + (uint)(i % 97)), 53, IpProtocol.Udp, 0);
            var canonical = A.CompareTo(key.B) < 0 ? key : new FlowKey(key.B, 53, A, (ushort)(1000 + i), IpProtocol.Udp, 0);
            Assert.Equal(i % 2 == 1, h.Tracker.Flows.Find(canonical) is not null);
        }
    }

    private static ushort Checksum(ReadOnlySpan<byte> header)
    {
        uint sum = 0;
        for (int i = 0; i < header.Length; i += 2)
            sum += (uint)((header[i] << 8) | header[i + 1]);
        while (sum > 0xFFFF)
            sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~sum;
    }
}
