using System.Buffers.Binary;
using Tocsin.Capture;
using static Tocsin.Decode.Tests.Frames;

namespace Tocsin.Decode.Tests;

public class MalformedTests
{
    private static readonly byte[] Ten = Enumerable.Range(1, 10).Select(i => (byte)i).ToArray();

    /// <summary>
    /// Frames with the lengths where each layer starts: cutting the frame anywhere from one boundary up to the next
    /// must give that boundary's reason (None: the frame still decodes as IP, e.g. a snapped payload, or a UDP
    /// payload too short to be recognised as a tunnel).
    /// </summary>
    public static TheoryData<string, byte[], LinkType, (int Length, MalformedReason Reason)[]> Layered() => new()
    {
        {
            "Ethernet IPv4 TCP", PacketBuilder.Tcp(InnerA, 1, InnerB, 2, TcpFlags.Ack, payload: Ten), LinkType.Ethernet,
            [(0, MalformedReason.TruncatedLinkHeader), (14, MalformedReason.TruncatedIpv4Header), (34, MalformedReason.TruncatedTcpHeader), (54, MalformedReason.None)]
        },
        {
            "VLAN IPv6 UDP", PacketBuilder.Udp(InnerA6, 1, InnerB6, 2, Ten, vlan: 5), LinkType.Ethernet,
            [(0, MalformedReason.TruncatedLinkHeader), (14, MalformedReason.TruncatedVlan), (18, MalformedReason.TruncatedIpv6Header), (58, MalformedReason.TruncatedUdpHeader), (66, MalformedReason.None)]
        },
        {
            "QinQ IPv4 ICMP", Eth("88a8 0001 8100 0002 0800", PacketBuilder.IcmpPacket(InnerA, InnerB, 8, 0, Ten)), LinkType.Ethernet,
            [(0, MalformedReason.TruncatedLinkHeader), (14, MalformedReason.TruncatedVlan), (22, MalformedReason.TruncatedIpv4Header), (42, MalformedReason.TruncatedIcmpHeader), (50, MalformedReason.None)]
        },
        {
            "MPLS IPv4 UDP", Eth("8847 00064040 000c8140", PacketBuilder.UdpPacket(InnerA, 1, InnerB, 2, Ten)), LinkType.Ethernet,
            [(0, MalformedReason.TruncatedLinkHeader), (14, MalformedReason.TruncatedMpls), (23, MalformedReason.TruncatedIpv4Header), (42, MalformedReason.TruncatedUdpHeader), (50, MalformedReason.None)]
        },
        {
            "PPPoE IPv6 TCP", Eth("8864 1100 0001 003a 0057", PacketBuilder.TcpPacket(InnerA6, 1, InnerB6, 2, TcpFlags.Ack, payload: Ten)), LinkType.Ethernet,
            [(0, MalformedReason.TruncatedLinkHeader), (14, MalformedReason.TruncatedPppoe), (22, MalformedReason.TruncatedIpv6Header), (62, MalformedReason.TruncatedTcpHeader), (82, MalformedReason.None)]
        },
        {
            "IPv4 options", Ipv4WithOptions(), LinkType.Ethernet,
            [(0, MalformedReason.TruncatedLinkHeader), (14, MalformedReason.TruncatedIpv4Header), (38, MalformedReason.TruncatedTcpHeader), (58, MalformedReason.None)]
        },
        {
            "IPv6 hop-by-hop, fragment", Ipv6WithExtensions(), LinkType.Ethernet,
            [(0, MalformedReason.TruncatedLinkHeader), (14, MalformedReason.TruncatedIpv6Header), (54, MalformedReason.BadIpv6ExtensionHeader), (70, MalformedReason.TruncatedUdpHeader), (78, MalformedReason.None)]
        },
        {
            "Linux SLL IPv4 UDP", PacketBuilder.Link(LinkType.LinuxSll, PacketBuilder.UdpPacket(InnerA, 1, InnerB, 2, Ten)), LinkType.LinuxSll,
            [(0, MalformedReason.TruncatedLinkHeader), (16, MalformedReason.TruncatedIpv4Header), (36, MalformedReason.TruncatedUdpHeader), (44, MalformedReason.None)]
        },
        {
            "Null IPv6 ICMPv6", PacketBuilder.Link(LinkType.Null, PacketBuilder.IcmpPacket(InnerA6, InnerB6, 128, 0, Ten)), LinkType.Null,
            [(0, MalformedReason.TruncatedLinkHeader), (4, MalformedReason.TruncatedIpv6Header), (44, MalformedReason.TruncatedIcmpHeader), (52, MalformedReason.None)]
        },
        {
            "GTP-U with an extension, IPv4 TCP", OverUdp(2152, 2152, Hex("34ff0030 00000001 0000 00 85 01 0009 00"), InnerTcp()), LinkType.Ethernet,
            [
                (0, MalformedReason.TruncatedLinkHeader), (14, MalformedReason.TruncatedIpv4Header), (34, MalformedReason.TruncatedUdpHeader),
                (42, MalformedReason.None), (44, MalformedReason.TruncatedTunnelHeader), (58, MalformedReason.None),
                (59, MalformedReason.TruncatedIpv4Header), (78, MalformedReason.TruncatedTcpHeader), (98, MalformedReason.None),
            ]
        },
        {
            "GRE with key, IPv4 UDP", OverIp(IpProtocol.Gre, Hex("2000 0800 0000abcd"), PacketBuilder.UdpPacket(InnerA, 1, InnerB, 2, Ten)), LinkType.Ethernet,
            [
                (0, MalformedReason.TruncatedLinkHeader), (14, MalformedReason.TruncatedIpv4Header), (34, MalformedReason.TruncatedTunnelHeader),
                (42, MalformedReason.TruncatedIpv4Header), (62, MalformedReason.TruncatedUdpHeader), (70, MalformedReason.None),
            ]
        },
        {
            "VXLAN, VLAN, IPv4 TCP", OverUdp(49152, 4789, Hex("08000000 00123400"), Hex("0a0000000002 0a0000000001 8100 012c 0800"), InnerTcp()), LinkType.Ethernet,
            [
                (0, MalformedReason.TruncatedLinkHeader), (14, MalformedReason.TruncatedIpv4Header), (34, MalformedReason.TruncatedUdpHeader),
                (42, MalformedReason.None), (50, MalformedReason.TruncatedLinkHeader), (64, MalformedReason.TruncatedVlan),
                (68, MalformedReason.TruncatedIpv4Header), (88, MalformedReason.TruncatedTcpHeader), (108, MalformedReason.None),
            ]
        },
        {
            "CAPWAP 802.11, IPv4 TCP", OverUdp(40000, 5247, Hex("00100300 00000000 0801 0000 0a0000000001 0a0000000002 0a0000000003 0000 aaaa03000000 0800"), InnerTcp()), LinkType.Ethernet,
            [
                (0, MalformedReason.TruncatedLinkHeader), (14, MalformedReason.TruncatedIpv4Header), (34, MalformedReason.TruncatedUdpHeader),
                (42, MalformedReason.None), (46, MalformedReason.TruncatedTunnelHeader), (82, MalformedReason.TruncatedIpv4Header),
                (102, MalformedReason.TruncatedTcpHeader), (122, MalformedReason.None),
            ]
        },
        {
            "TZSP, IPv4 TCP", OverUdp(40000, 37008, Hex("01 00 0001 0a0105 00 01 0a0000000002 0a0000000001 0800"), InnerTcp()), LinkType.Ethernet,
            [
                (0, MalformedReason.TruncatedLinkHeader), (14, MalformedReason.TruncatedIpv4Header), (34, MalformedReason.TruncatedUdpHeader),
                (42, MalformedReason.None), (46, MalformedReason.TruncatedTunnelHeader), (51, MalformedReason.TruncatedLinkHeader),
                (65, MalformedReason.TruncatedIpv4Header), (85, MalformedReason.TruncatedTcpHeader), (105, MalformedReason.None),
            ]
        },
    };

    [Theory]
    [MemberData(nameof(Layered))]
    public void TruncatingAnywhereGivesThatLayersReason(string name, byte[] frame, LinkType linkType, (int Length, MalformedReason Reason)[] layers)
    {
        Assert.True(layers[^1].Length <= frame.Length, name);
        var decoder = new PacketDecoder();
        var p = new DecodedPacket();
        int malformed = 0;
        for (int cut = 0; cut <= frame.Length; cut++)
        {
            var expected = layers.Last(l => l.Length <= cut).Reason;
            var result = decoder.Decode(frame.AsSpan(0, cut), linkType, frame.Length, ref p);
            Assert.True(expected == p.Malformed, $"{name} cut at {cut}: expected {expected}, got {p.Malformed}");
            Assert.Equal(expected == MalformedReason.None ? DecodeResult.Ip : DecodeResult.Malformed, result);
            if (expected != MalformedReason.None)
                malformed++;
        }
        Assert.Equal(malformed, decoder.Stats.MalformedFrames);
    }

    private static byte[] Ipv4WithOptions()
    {
        var packet = PacketBuilder.TcpPacket(InnerA, 1, InnerB, 2, TcpFlags.Ack, payload: Ten);
        var withOptions = Cat(packet[..20], Hex("01010100" /* NOPs, end */), packet[20..]);
        withOptions[0] = 0x46;
        BinaryPrimitives.WriteUInt16BigEndian(withOptions.AsSpan(2), (ushort)withOptions.Length);
        return PacketBuilder.Ethernet(withOptions);
    }

    private static byte[] Ipv6WithExtensions()
    {
        var udp = PacketBuilder.UdpPacket(InnerA6, 1, InnerB6, 2, Ten);
        var packet = Cat(udp[..40], Hex("2c00 010400000000" /* hop-by-hop → fragment */), Hex("1100 0000 00000001" /* atomic fragment → UDP */), udp[40..]);
        packet[6] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), (ushort)(packet.Length - 40));
        return PacketBuilder.Ethernet(packet);
    }

    /// <summary>One frame per reason, including those no truncation produces (inconsistent fields).</summary>
    public static TheoryData<MalformedReason, byte[], LinkType> EveryReason()
    {
        var tcp4 = PacketBuilder.Tcp(InnerA, 1, InnerB, 2, TcpFlags.Ack, payload: Ten);
        var udp4 = PacketBuilder.Udp(InnerA, 1, InnerB, 2, Ten);
        var tcp6 = PacketBuilder.TcpPacket(InnerA6, 1, InnerB6, 2, TcpFlags.Ack, payload: Ten);
        var tooDeep = InnerTcp();
        for (int i = 0; i <= PacketDecoder.MaxTunnelDepth; i++)
            tooDeep = PacketBuilder.IpPacket(OuterA, OuterB, IpProtocol.IpInIp, tooDeep);
        var badExtension = Ipv6WithExtensions();
        badExtension[55] = 200; // hop-by-hop length runs past the packet

        return new()
        {
            { MalformedReason.UnsupportedLinkType, tcp4, (LinkType)105 },
            { MalformedReason.TruncatedLinkHeader, tcp4[..13], LinkType.Ethernet },
            { MalformedReason.TruncatedVlan, Eth("8100 00", []), LinkType.Ethernet },
            { MalformedReason.TruncatedMpls, Eth("8847 00064040", []), LinkType.Ethernet }, // no bottom-of-stack label
            { MalformedReason.TruncatedPppoe, Eth("8864 1100 0001", []), LinkType.Ethernet },
            { MalformedReason.TruncatedIpv4Header, tcp4[..33], LinkType.Ethernet },
            { MalformedReason.BadIpv4Version, Patch(tcp4, 14, 0x65), LinkType.Ethernet },
            { MalformedReason.BadIpv4HeaderLength, Patch(tcp4, 14, 0x44), LinkType.Ethernet },
            { MalformedReason.BadIpv4TotalLength, Patch(tcp4, 16, 0x00, 0x13), LinkType.Ethernet },
            { MalformedReason.TruncatedIpv6Header, tcp6[..39], LinkType.Raw },
            { MalformedReason.BadIpv6Version, PacketBuilder.Ethernet(0x86DD, Cat(tcp4[14..], new byte[20])), LinkType.Ethernet },
            { MalformedReason.BadIpv6ExtensionHeader, badExtension, LinkType.Ethernet },
            { MalformedReason.TruncatedTcpHeader, tcp4[..53], LinkType.Ethernet },
            { MalformedReason.BadTcpHeaderLength, Patch(tcp4, 46, 0x40), LinkType.Ethernet }, // data offset 4
            { MalformedReason.TruncatedUdpHeader, udp4[..41], LinkType.Ethernet },
            { MalformedReason.BadUdpLength, Patch(udp4, 38, 0x00, 0x07), LinkType.Ethernet },
            { MalformedReason.TruncatedIcmpHeader, PacketBuilder.Icmp(InnerA, InnerB, 8, 0)[..41], LinkType.Ethernet },
            { MalformedReason.TruncatedTunnelHeader, OverIp(IpProtocol.Gre, Hex("2000 0800 0000")), LinkType.Ethernet },
            { MalformedReason.TunnelTooDeep, PacketBuilder.Ethernet(tooDeep), LinkType.Ethernet },
            { MalformedReason.BadIpVersion, Patch(tcp4, 14, 0x55)[14..], LinkType.Raw },
        };
    }

    [Theory]
    [MemberData(nameof(EveryReason))]
    public void EachReasonIsReported(MalformedReason reason, byte[] frame, LinkType linkType)
    {
        var decoder = new PacketDecoder();
        var p = new DecodedPacket();
        Assert.Equal(DecodeResult.Malformed, decoder.Decode(frame, linkType, frame.Length, ref p));
        Assert.Equal(reason, p.Malformed);
        Assert.Equal(1, decoder.Stats.Malformed(reason));
        Assert.Equal(1, decoder.Stats.MalformedFrames);
    }

    [Fact]
    public void EveryReasonHasAFrame()
    {
        var covered = EveryReason().Select(row => (MalformedReason)row[0]).ToHashSet();
        Assert.Equal(Enum.GetValues<MalformedReason>().Where(r => r != MalformedReason.None).ToHashSet(), covered);
    }

    [Fact]
    public void TcpHeaderLongerThanThePacketIsBad()
    {
        // fuzz-2006-09-29-28586.pcap frame 80: data offset 10 (40 bytes) in a 20-byte segment
        var frame = Patch(PacketBuilder.Tcp(InnerA, 1, InnerB, 2, TcpFlags.Ack), 46, 0xA0);
        DecodeFrame(Cat(frame, new byte[20]), out var p); // the captured bytes would hold it: the IP length does not
        Assert.Equal(MalformedReason.BadTcpHeaderLength, p.Malformed);
    }

    [Theory]
    [InlineData("ff03")]   // address and control, no protocol
    [InlineData("ff0300")] // half a protocol field
    [InlineData("0f0008")] // Cisco HDLC without a whole ethertype
    public void ShortPppFramesAreTruncatedLinkHeaders(string frame)
    {
        Assert.Equal(DecodeResult.Malformed, DecodeFrame(Hex(frame), out var p, LinkType.Ppp));
        Assert.Equal(MalformedReason.TruncatedLinkHeader, p.Malformed);
    }

    [Fact]
    public void EmptyFramesAreTruncatedOnEveryLinkType()
    {
        foreach (var linkType in Enum.GetValues<LinkType>())
        {
            Assert.Equal(DecodeResult.Malformed, DecodeFrame([], out var p, linkType));
            Assert.True(p.Malformed is MalformedReason.TruncatedLinkHeader or MalformedReason.TruncatedIpv4Header or MalformedReason.TruncatedIpv6Header,
                $"{linkType}: {p.Malformed}");
        }
    }

    /// <summary>Cuts and corrupts valid frames of every kind at random: the decoder must neither throw nor read outside the frame.</summary>
    [Fact]
    public void RandomDamageNeverThrows()
    {
        var corpus = Layered().Select(row => ((byte[])row[1], (LinkType)row[2]))
            .Concat(EveryReason().Select(row => ((byte[])row[1], (LinkType)row[2])))
            .Concat(Enum.GetValues<LinkType>().Select(l => (PacketBuilder.Link(l, l == LinkType.Ipv6 ? InnerUdp6() : InnerTcp()), l)))
            .ToArray();
        var random = new Random(20240601);
        var decoder = new PacketDecoder(new DecoderOptions { DecapsulateTeredo = true });
        var p = new DecodedPacket();
        for (int i = 0; i < 50_000; i++)
        {
            var (original, linkType) = corpus[random.Next(corpus.Length)];
            var frame = original.ToArray();
            for (int flips = random.Next(4); flips > 0 && frame.Length > 0; flips--)
                frame[random.Next(frame.Length)] = (byte)random.Next(256);
            int length = random.Next(2) == 0 ? frame.Length : random.Next(frame.Length + 1);

            var result = decoder.Decode(frame.AsSpan(0, length), linkType, length, ref p);

            Assert.Equal(result == DecodeResult.Malformed, p.Malformed != MalformedReason.None);
            Assert.Equal(result == DecodeResult.NonIp, p.NonIp != NonIpKind.None);
            if (result == DecodeResult.Ip)
            {
                Assert.InRange(p.L3Offset, 0, length - 20);
                Assert.True(p.L4Offset == -1 || (p.L4Offset > p.L3Offset && p.L4Offset < length), $"L4 offset {p.L4Offset} of {length}");
                Assert.True(p.PayloadLength >= 0);
            }
        }
        Assert.Equal(50_000, decoder.Stats.Frames);
    }
}
