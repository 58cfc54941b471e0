using Tocsin.Capture;
using static Tocsin.Decode.Tests.Frames;

namespace Tocsin.Decode.Tests;

public class DecodeStatsTests
{
    private static readonly byte[] Tcp = PacketBuilder.Tcp(InnerA, 1, InnerB, 2, TcpFlags.Syn);
    private static readonly byte[] Tagged = PacketBuilder.Udp(InnerA, 1, InnerB, 2, [1], vlan: 10);
    private static readonly byte[] PriorityTagged = Patch(Tagged, 14, 0xE0, 0x00); // VLAN id 0, PCP 7
    private static readonly byte[] Arp = PacketBuilder.Ethernet(0x0806, new byte[28]);
    private static readonly byte[] Lldp = PacketBuilder.Ethernet(0x88CC, new byte[30]);
    private static readonly byte[] Gtp = OverUdp(2152, 2152, Hex("30ff0028 00000001"), InnerTcp());
    private static readonly byte[] Gre = OverIp(IpProtocol.Gre, Hex("0000 0800"), InnerTcp());
    private static readonly byte[] Mpls = Eth("8847 000c8140", InnerTcp());
    private static readonly byte[] Pppoe = Eth("8864 1100 0001 002a 0021", InnerTcp());
    private static readonly byte[] FirstFragment = Patch(Tcp, 20, 0x20, 0x00);
    private static readonly byte[] LaterFragment = Patch(Tcp, 20, 0x00, 0x10);
    private static readonly byte[] ShortTcp = Tcp[..40];
    private static readonly byte[] BadUdp = Patch(PacketBuilder.Udp(InnerA, 1, InnerB, 2), 38, 0, 3);

    private static PacketDecoder DecodeAll(params byte[][] frames)
    {
        var decoder = new PacketDecoder();
        var p = new DecodedPacket();
        foreach (var frame in frames)
            decoder.Decode(frame, LinkType.Ethernet, frame.Length, ref p);
        return decoder;
    }

    [Fact]
    public void EveryFrameIsCountedOnceUnderItsResult()
    {
        var s = DecodeAll(Tcp, Tagged, PriorityTagged, Arp, Arp, Lldp, Gtp, Gre, Mpls, Pppoe, FirstFragment, LaterFragment, ShortTcp, ShortTcp, BadUdp).Stats;
        Assert.Equal(15, s.Frames);
        Assert.Equal(9, s.IpPackets);
        Assert.Equal(3, s.NonIpFrames);
        Assert.Equal(2, s.NonIp(NonIpKind.Arp));
        Assert.Equal(1, s.NonIp(NonIpKind.Lldp));
        Assert.Equal(0, s.NonIp(NonIpKind.Llc));
        Assert.Equal(3, s.MalformedFrames);
        Assert.Equal(2, s.Malformed(MalformedReason.TruncatedTcpHeader));
        Assert.Equal(1, s.Malformed(MalformedReason.BadUdpLength));
        Assert.Equal(2, s.Fragments);
        Assert.Equal(1, s.LaterFragments);
        Assert.Equal(2, s.VlanTagged); // the priority tag counts although its VLAN id is 0
        Assert.Equal(1, s.Mpls);
        Assert.Equal(1, s.Pppoe);
        Assert.Equal(1, s.Tunnels(TunnelKind.GtpU));
        Assert.Equal(1, s.Tunnels(TunnelKind.Gre));
        Assert.Equal(0, s.Tunnels(TunnelKind.None));
        Assert.Equal(s.Frames, s.IpPackets + s.NonIpFrames + s.MalformedFrames);
    }

    [Fact]
    public void NestedTunnelsCountTheOutermost()
    {
        var gtpInGre = OverIp(IpProtocol.Gre, Hex("0000 0800"),
            PacketBuilder.UdpPacket(OuterA, 2152, OuterB, 2152, Cat(Hex("30ff0028 00000001"), InnerTcp())));
        var s = DecodeAll(gtpInGre).Stats;
        Assert.Equal(1, s.Tunnels(TunnelKind.Gre));
        Assert.Equal(0, s.Tunnels(TunnelKind.GtpU));
    }

    [Fact]
    public void MalformedTunnelsCountBoth()
    {
        var s = DecodeAll(Gtp[..60]).Stats; // the inner IPv4 header is cut
        Assert.Equal(1, s.Tunnels(TunnelKind.GtpU));
        Assert.Equal(1, s.Malformed(MalformedReason.TruncatedIpv4Header));
    }

    [Fact]
    public void MalformedReasonsListsNonZeroCountsInEnumOrder()
    {
        var s = DecodeAll(BadUdp, ShortTcp, Tcp, ShortTcp, Tcp[..10]).Stats;
        Assert.Equal(
            [
                new(MalformedReason.TruncatedLinkHeader, 1),
                new(MalformedReason.TruncatedTcpHeader, 2),
                new(MalformedReason.BadUdpLength, 1),
            ],
            s.MalformedReasons().ToArray());
        Assert.Empty(new DecodeStats().MalformedReasons());
    }

    [Fact]
    public void DecodingAndCountingDoNotAllocate()
    {
        byte[][] frames =
        [
            Tcp, Tagged, Arp, Lldp, Gtp, Gre, Mpls, Pppoe, FirstFragment, LaterFragment, ShortTcp, BadUdp,
            OverUdp(49152, 4789, Hex("08000000 00123400"), PacketBuilder.Tcp(InnerA, 1, InnerB, 2, 0)),
            OverUdp(40000, 37008, Hex("01 00 0001 01"), PacketBuilder.Tcp(InnerA, 1, InnerB, 2, 0)),
            OverUdp(3544, 51000, InnerUdp6()),
            PacketBuilder.Icmp(InnerA6, InnerB6, 128, 0),
        ];
        var decoder = new PacketDecoder(new DecoderOptions { DecapsulateTeredo = true });
        var p = new DecodedPacket();
        foreach (var frame in frames) // warm up: JIT, static initialisers
            decoder.Decode(frame, LinkType.Ethernet, frame.Length, ref p);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            foreach (var frame in frames)
                decoder.Decode(frame, LinkType.Ethernet, frame.Length, ref p);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(10_001L * frames.Length, decoder.Stats.Frames);
    }
}
