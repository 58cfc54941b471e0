using static Tocsin.Decode.Tests.Frames;

namespace Tocsin.Decode.Tests;

public class TunnelTests
{
    private static readonly DecoderOptions NoTunnels = new() { DecapsulateTunnels = false };
    private static readonly DecoderOptions WithTeredo = new() { DecapsulateTeredo = true };

    /// <summary>The inner TCP packet inside an Ethernet frame with its own MACs and VLAN 300.</summary>
    private static byte[] InnerEthernet() => Cat(Hex("0a0000000002 0a0000000001 8100 012c 0800"), InnerTcp());

    private static void AssertInnerTcpAt(byte[] frame, TunnelKind tunnel, int l3Offset, DecoderOptions? options = null)
    {
        Assert.Equal(DecodeResult.Ip, DecodeFrame(frame, out var p, options: options));
        Assert.Equal(tunnel, p.Tunnel);
        Assert.Equal(l3Offset, p.L3Offset);
        Assert.Equal(l3Offset + 20, p.L4Offset);
        Assert.Equal(4, p.IpVersion);
        Assert.Equal(40, p.IpLength);
        AssertInnerTcp(p);
        Assert.Equal(TcpFlags.Syn, p.TcpFlags);
        Assert.Equal(1000u, p.TcpSeq);
    }

    private static void AssertOuterUdp(byte[] frame, ushort srcPort, ushort dstPort, DecoderOptions? options = null)
    {
        Assert.Equal(DecodeResult.Ip, DecodeFrame(frame, out var p, options: options));
        Assert.Equal(TunnelKind.None, p.Tunnel);
        Assert.Equal(IpProtocol.Udp, p.Protocol);
        Assert.Equal(OuterA, p.Src);
        Assert.Equal(srcPort, p.SrcPort);
        Assert.Equal(dstPort, p.DstPort);
        Assert.Equal(14, p.L3Offset);
    }

    private static void AssertOuterGre(byte[] frame)
    {
        Assert.Equal(DecodeResult.Ip, DecodeFrame(frame, out var p));
        Assert.Equal(TunnelKind.None, p.Tunnel);
        Assert.Equal(IpProtocol.Gre, p.Protocol);
        Assert.Equal(OuterA, p.Src);
        Assert.Equal(-1, p.L4Offset);
        Assert.Equal(frame.Length - 34, p.PayloadLength);
    }

    // ---- IP in IP ----

    [Fact]
    public void Ipv4InIpv4()
    {
        AssertInnerTcpAt(OverIp(IpProtocol.IpInIp, InnerTcp()), TunnelKind.IpInIp, 34);
    }

    [Fact]
    public void Ipv6InIpv4()
    {
        Assert.Equal(DecodeResult.Ip, DecodeFrame(OverIp(IpProtocol.Ipv6, InnerUdp6()), out var p));
        Assert.Equal(TunnelKind.Ipv6InIp, p.Tunnel);
        Assert.Equal(6, p.IpVersion);
        Assert.Equal(InnerA6, p.Src);
        Assert.Equal(InnerB6, p.Dst);
        Assert.Equal(5353, p.SrcPort);
        Assert.Equal(53, p.DstPort);
        Assert.Equal(34, p.L3Offset);
        Assert.Equal(4, p.PayloadLength);
    }

    [Fact]
    public void Ipv4InIpv6()
    {
        var frame = PacketBuilder.Ethernet(PacketBuilder.IpPacket(OuterA6, OuterB6, IpProtocol.IpInIp, InnerTcp()));
        AssertInnerTcpAt(frame, TunnelKind.IpInIp, 54);
    }

    [Fact]
    public void Ipv6InIpv6()
    {
        var frame = PacketBuilder.Ethernet(PacketBuilder.IpPacket(OuterA6, OuterB6, IpProtocol.Ipv6, InnerUdp6()));
        Assert.Equal(DecodeResult.Ip, DecodeFrame(frame, out var p));
        Assert.Equal(TunnelKind.Ipv6InIp, p.Tunnel);
        Assert.Equal(InnerA6, p.Src);
        Assert.Equal(54, p.L3Offset);
        Assert.Equal(5353, p.SrcPort);
    }

    [Fact]
    public void TunnelsOffReportsTheOuterPacket()
    {
        Assert.Equal(DecodeResult.Ip, DecodeFrame(OverIp(IpProtocol.IpInIp, InnerTcp()), out var p, options: NoTunnels));
        Assert.Equal(TunnelKind.None, p.Tunnel);
        Assert.Equal(IpProtocol.IpInIp, p.Protocol);
        Assert.Equal(OuterA, p.Src);
        Assert.Equal(-1, p.L4Offset);

        var gtp = OverUdp(2152, 2152, Hex("30ff0028 00000001"), InnerTcp());
        AssertOuterUdp(gtp, 2152, 2152, NoTunnels);
    }

    [Fact]
    public void FourTunnelsDeepIsTheLimit()
    {
        var packet = InnerTcp();
        for (int depth = 1; depth <= PacketDecoder.MaxTunnelDepth; depth++)
            packet = PacketBuilder.IpPacket(OuterA, OuterB, IpProtocol.IpInIp, packet);
        AssertInnerTcpAt(PacketBuilder.Ethernet(packet), TunnelKind.IpInIp, 14 + 20 * PacketDecoder.MaxTunnelDepth);

        var tooDeep = PacketBuilder.Ethernet(PacketBuilder.IpPacket(OuterA, OuterB, IpProtocol.IpInIp, packet));
        Assert.Equal(DecodeResult.Malformed, DecodeFrame(tooDeep, out var p));
        Assert.Equal(MalformedReason.TunnelTooDeep, p.Malformed);
        Assert.Equal(TunnelKind.IpInIp, p.Tunnel);
    }

    [Fact]
    public void FirstFragmentOfATunnelIsDecapsulated()
    {
        var frame = Patch(OverIp(IpProtocol.IpInIp, InnerTcp()), 20, 0x20, 0x00); // outer MF
        Assert.Equal(DecodeResult.Ip, DecodeFrame(frame, out var p));
        Assert.Equal(TunnelKind.IpInIp, p.Tunnel);
        AssertInnerTcp(p);
        Assert.True(p.IsFragment); // the inner packet may be incomplete
        Assert.False(p.IsLaterFragment);
    }

    [Fact]
    public void LaterFragmentOfATunnelIsNot()
    {
        var frame = Patch(OverIp(IpProtocol.IpInIp, InnerTcp()), 20, 0x00, 0x10);
        Assert.Equal(DecodeResult.Ip, DecodeFrame(frame, out var p));
        Assert.Equal(TunnelKind.None, p.Tunnel);
        Assert.Equal(OuterA, p.Src);
        Assert.Equal(IpProtocol.IpInIp, p.Protocol);
        Assert.True(p.IsLaterFragment);
    }

    // ---- GRE ----

    [Fact]
    public void GreCarriesIpv4()
    {
        AssertInnerTcpAt(OverIp(IpProtocol.Gre, Hex("0000 0800"), InnerTcp()), TunnelKind.Gre, 38);
    }

    [Fact]
    public void GreOptionalFieldsAreSkipped()
    {
        // checksum + key + sequence present
        var frame = OverIp(IpProtocol.Gre, Hex("b000 0800 12340000 0000abcd 00000007"), InnerTcp());
        AssertInnerTcpAt(frame, TunnelKind.Gre, 34 + 16);
        AssertInnerTcpAt(OverIp(IpProtocol.Gre, Hex("2000 0800 0000abcd"), InnerTcp()), TunnelKind.Gre, 34 + 8); // key only
    }

    [Fact]
    public void GreCarriesIpv6()
    {
        Assert.Equal(DecodeResult.Ip, DecodeFrame(OverIp(IpProtocol.Gre, Hex("0000 86dd"), InnerUdp6()), out var p));
        Assert.Equal(TunnelKind.Gre, p.Tunnel);
        Assert.Equal(InnerA6, p.Src);
        Assert.Equal(53, p.DstPort);
    }

    [Fact]
    public void GreTransparentEthernetBridging()
    {
        var frame = PacketBuilder.Ethernet(0x0800, PacketBuilder.IpPacket(OuterA, OuterB, IpProtocol.Gre,
            Cat(Hex("0000 6558"), InnerEthernet())), vlan: 20);
        AssertInnerTcpAt(frame, TunnelKind.Gre, 18 + 20 + 4 + 18);
        DecodeFrame(frame, out var p);
        Assert.Equal(20, p.VlanId); // the outer frame's, not the bridged frame's 300
    }

    [Fact]
    public void GreCarriesMpls()
    {
        AssertInnerTcpAt(OverIp(IpProtocol.Gre, Hex("0000 8847 000c8140"), InnerTcp()), TunnelKind.Gre, 42);
    }

    [Theory]
    [InlineData("3001 880b 0028 0001 00000005", "ff03 0021")]           // key, sequence; PPP with address/control
    [InlineData("3081 880b 0028 0001 00000005 00000004", "0021")]       // and acknowledgement; no address/control
    [InlineData("2001 880b 0028 0001", "21")]                           // protocol field compressed
    public void EnhancedGreCarriesPpp(string gre, string ppp)
    {
        var frame = OverIp(IpProtocol.Gre, Hex(gre), Hex(ppp), InnerTcp());
        AssertInnerTcpAt(frame, TunnelKind.Gre, 34 + (gre.Replace(" ", "", StringComparison.Ordinal).Length + ppp.Replace(" ", "", StringComparison.Ordinal).Length) / 2);
    }

    [Theory]
    [InlineData("3001 880b 0028 0001 00000005 ff03 00fd")] // MPPE-compressed/encrypted data
    [InlineData("3001 880b 0028 0001 00000005 ff03 c021")] // LCP
    [InlineData("2081 880b 0000 0001 00000004")]           // acknowledgement only
    [InlineData("0000 88be")]                              // ERSPAN: not decoded
    [InlineData("4000 0800")]                              // RFC 1701 routing present
    [InlineData("0002 0800")]                              // unknown version
    public void GreThatCannotBeDecodedStaysTheOuterFlow(string gre)
    {
        AssertOuterGre(OverIp(IpProtocol.Gre, Hex(gre), InnerTcp()));
    }

    // ---- GTP-U ----

    [Fact]
    public void GtpUCarriesIpv4()
    {
        AssertInnerTcpAt(OverUdp(2152, 2152, Hex("30ff0028 00000001"), InnerTcp()), TunnelKind.GtpU, 42 + 8);
    }

    [Fact]
    public void GtpUSequenceNumberAndExtensionHeaders()
    {
        AssertInnerTcpAt(OverUdp(40000, 2152, Hex("32ff002c 00000001 0001 00 00"), InnerTcp()), TunnelKind.GtpU, 42 + 12);

        // E flag: next extension 0x85 (PDU session container, 4 bytes), then 0x40 (UDP port, 4 bytes), then none.
        var chained = OverUdp(2152, 2152, Hex("34ff0040 00000001 0000 00 85 01 0009 40 01 0868 00"), InnerUdp6());
        Assert.Equal(DecodeResult.Ip, DecodeFrame(chained, out var p));
        Assert.Equal(TunnelKind.GtpU, p.Tunnel);
        Assert.Equal(42 + 20, p.L3Offset);
        Assert.Equal(InnerA6, p.Src);
        Assert.Equal(5353, p.SrcPort);
    }

    [Theory]
    [InlineData("32010004 00000000 0000 0000")] // echo request
    [InlineData("30fe0000 00000001")]           // end marker
    [InlineData("10ff0028 00000001")]           // GTP' (protocol type 0)
    [InlineData("30ff0028 00000001 0a")]        // a PDU that is neither IPv4 nor IPv6 (Ethernet PDU session)
    public void GtpUWithoutAnIpPacketStaysUdp(string gtp)
    {
        AssertOuterUdp(OverUdp(2152, 2152, Hex(gtp)), 2152, 2152);
    }

    // ---- VXLAN ----

    [Fact]
    public void VxlanCarriesEthernet()
    {
        var frame = PacketBuilder.Udp(OuterA, 49152, OuterB, 4789, Cat(Hex("08000000 00123400"), InnerEthernet()), vlan: 20);
        AssertInnerTcpAt(frame, TunnelKind.Vxlan, 18 + 28 + 8 + 18);
        DecodeFrame(frame, out var p);
        Assert.Equal(20, p.VlanId);
    }

    [Fact]
    public void VxlanCarryingArpIsNotIp()
    {
        var frame = OverUdp(49152, 4789, Hex("08000000 00123400"), Hex("ffffffffffff 0a0000000001 0806"), new byte[28]);
        Assert.Equal(DecodeResult.NonIp, DecodeFrame(frame, out var p));
        Assert.Equal(NonIpKind.Arp, p.NonIp);
        Assert.Equal(TunnelKind.Vxlan, p.Tunnel);
    }

    [Fact]
    public void VxlanNeedsItsFlagAndTheDestinationPort()
    {
        AssertOuterUdp(OverUdp(49152, 4789, Hex("00000000 00123400"), InnerEthernet()), 49152, 4789);
        AssertOuterUdp(OverUdp(4789, 49152, Hex("08000000 00123400"), InnerEthernet()), 4789, 49152);
    }

    // ---- CAPWAP ----

    private const string Wlan80211Addresses = "0a0000000001 0a0000000002 0a0000000003 0000";

    [Fact]
    public void CapwapCarries8023()
    {
        // HLEN 2 (8 bytes), WBID 1, T = 0
        AssertInnerTcpAt(OverUdp(5247, 40000, Hex("00100200 00000000"), InnerEthernet()), TunnelKind.Capwap, 42 + 8 + 18);
    }

    [Fact]
    public void CapwapCarries80211()
    {
        // T = 1: an 802.11 data frame (to DS), then LLC/SNAP
        var frame = OverUdp(40000, 5247, Hex("00100300 00000000"), Hex("0801 0000" + Wlan80211Addresses), Hex("aaaa03000000 0800"), InnerTcp());
        AssertInnerTcpAt(frame, TunnelKind.Capwap, 42 + 8 + 24 + 8);

        // QoS data adds 2 bytes; a 16-byte HLEN (radio MAC present) is skipped whole.
        var qos = OverUdp(40000, 5247, Hex("00200310 00000000 06 0a0000000001 00"), Hex("8801 0000" + Wlan80211Addresses + "0000"), Hex("aaaa03000000 0800"), InnerTcp());
        AssertInnerTcpAt(qos, TunnelKind.Capwap, 42 + 16 + 26 + 8);
    }

    [Theory]
    [InlineData("0841")] // protected
    [InlineData("4801")] // null data
    [InlineData("8000")] // beacon
    public void Capwap80211WithoutReadableDataIsNotIp(string frameControl)
    {
        var frame = OverUdp(40000, 5247, Hex("00100300 00000000"), Hex(frameControl + "0000" + Wlan80211Addresses), Hex("aaaa03000000 0800"), InnerTcp());
        Assert.Equal(DecodeResult.NonIp, DecodeFrame(frame, out var p));
        Assert.Equal(NonIpKind.Other, p.NonIp);
        Assert.Equal(TunnelKind.Capwap, p.Tunnel);
    }

    [Theory]
    [InlineData("01000000 00000000")] // DTLS preamble
    [InlineData("00100208 00000000")] // keepalive
    [InlineData("00100500 00000000")] // native frame of another binding (WBID 2)
    [InlineData("00100280 00010008")] // a later CAPWAP fragment
    public void CapwapWithoutAFrameStaysUdp(string header)
    {
        AssertOuterUdp(OverUdp(5247, 40000, Hex(header), InnerEthernet()), 5247, 40000);
    }

    // ---- TZSP ----

    [Fact]
    public void TzspCarriesEthernet()
    {
        // version 1, received, Ethernet; tags: RX channel (10, 1 byte), padding, end
        var frame = OverUdp(40000, 37008, Hex("01 00 0001 0a0105 00 01"), InnerEthernet());
        AssertInnerTcpAt(frame, TunnelKind.Tzsp, 42 + 9 + 18);
    }

    [Fact]
    public void TzspCarries80211()
    {
        var frame = OverUdp(40000, 37008, Hex("01 00 0012 01"), Hex("0802 0000" + Wlan80211Addresses), Hex("aaaa03000000 0800"), InnerTcp());
        AssertInnerTcpAt(frame, TunnelKind.Tzsp, 42 + 5 + 24 + 8);
    }

    [Theory]
    [InlineData("01 04 0001 01")] // keepalive
    [InlineData("01 00 0077 01")] // Prism header: not decoded
    [InlineData("02 00 0001 01")] // unknown version
    public void TzspWithoutAFrameStaysUdp(string header)
    {
        AssertOuterUdp(OverUdp(40000, 37008, Hex(header), InnerEthernet()), 40000, 37008);
    }

    // ---- Teredo ----

    private static byte[] TeredoFrame(string indications) =>
        OverUdp(3544, 51000, Hex(indications), PacketBuilder.IcmpPacket(InnerA6, InnerB6, 128, 0, [1, 2, 3, 4]));

    [Fact]
    public void TeredoIsOffByDefault()
    {
        AssertOuterUdp(TeredoFrame(""), 3544, 51000);
    }

    [Theory]
    [InlineData("", 0)]
    [InlineData("0000 f227 3f57e3b3", 8)]                                // origin indication
    [InlineData("0001 0000 0102030405060708 00 0000 f227 3f57e3b3", 21)] // authentication (no id/value), then origin
    [InlineData("0001 0203 aabb ccddee 0102030405060708 00", 18)]        // authentication with client id and value
    public void TeredoCarriesIpv6WhenEnabled(string indications, int skipped)
    {
        Assert.Equal(DecodeResult.Ip, DecodeFrame(TeredoFrame(indications), out var p, options: WithTeredo));
        Assert.Equal(TunnelKind.Teredo, p.Tunnel);
        Assert.Equal(42 + skipped, p.L3Offset);
        Assert.Equal(InnerA6, p.Src);
        Assert.Equal(IpProtocol.Icmpv6, p.Protocol);
    }

    [Fact]
    public void TeredoOptionNeedsTunnelsOn()
    {
        var options = new DecoderOptions { DecapsulateTunnels = false, DecapsulateTeredo = true };
        AssertOuterUdp(TeredoFrame(""), 3544, 51000, options);
    }

    [Fact]
    public void TeredoPortWithoutIpv6StaysUdp()
    {
        AssertOuterUdp(OverUdp(3544, 51000, new byte[48]), 3544, 51000, WithTeredo);
    }

    // ---- Nesting ----

    [Fact]
    public void TheOutermostTunnelIsReported()
    {
        // GTP-U over GRE over IPv4
        var gtp = PacketBuilder.UdpPacket(OuterA, 2152, OuterB, 2152, Cat(Hex("30ff0028 00000001"), InnerTcp()));
        var frame = OverIp(IpProtocol.Gre, Hex("0000 0800"), gtp);
        AssertInnerTcpAt(frame, TunnelKind.Gre, 34 + 4 + 28 + 8);
    }

    [Fact]
    public void OuterPortsDoNotLeakIntoTheInnerPacket()
    {
        // GTP-U carrying an ICMP packet: the inner packet has no ports, not the outer 2152s.
        var frame = OverUdp(2152, 2152, Hex("30ff001c 00000001"), PacketBuilder.IcmpPacket(InnerA, InnerB, 8, 0));
        Assert.Equal(DecodeResult.Ip, DecodeFrame(frame, out var p));
        Assert.Equal(IpProtocol.Icmp, p.Protocol);
        Assert.Equal(0, p.SrcPort);
        Assert.Equal(0, p.DstPort);
        Assert.Equal(28, p.IpLength);
    }
}
