using Tocsin.Capture;
using static Tocsin.Decode.Tests.Frames;

namespace Tocsin.Decode.Tests;

public class LinkTypeTests
{
    private static readonly byte[] Tcp4 = PacketBuilder.TcpPacket(InnerA, 1234, InnerB, 80, TcpFlags.Syn);
    private static readonly byte[] Tcp6 = PacketBuilder.TcpPacket(InnerA6, 1234, InnerB6, 80, TcpFlags.Syn);

    private static void AssertIp(byte[] frame, LinkType linkType, int l3Offset, int version)
    {
        Assert.Equal(DecodeResult.Ip, DecodeFrame(frame, out var p, linkType));
        Assert.Equal(l3Offset, p.L3Offset);
        Assert.Equal(version, p.IpVersion);
        if (version == 4)
            AssertTcp(p, InnerA, 1234, InnerB, 80);
        else
            AssertTcp(p, InnerA6, 1234, InnerB6, 80);
        Assert.Equal(l3Offset + (version == 4 ? 20 : 40), p.L4Offset);
    }

    [Fact]
    public void EthernetFillsAddressesAndOffsets()
    {
        var frame = PacketBuilder.Tcp(InnerA, 1234, InnerB, 80, TcpFlags.Syn);
        Assert.Equal(DecodeResult.Ip, DecodeFrame(frame, out var p));
        Assert.Equal(14, p.L3Offset);
        Assert.Equal(34, p.L4Offset);
        Assert.Equal(frame.Length, p.WireLength);
        Assert.Equal(MalformedReason.None, p.Malformed);
        Assert.Equal(TunnelKind.None, p.Tunnel);
        AssertTcp(p, InnerA, 1234, InnerB, 80);
    }

    [Theory]
    [InlineData("02000000", 4)] // AF_INET written by a little-endian host
    [InlineData("00000002", 4)] // ... and by a big-endian one
    [InlineData("0a000000", 6)] // AF_INET6: Linux
    [InlineData("18000000", 6)] // OpenBSD, NetBSD
    [InlineData("1c000000", 6)] // FreeBSD
    [InlineData("1e000000", 6)] // macOS
    [InlineData("0000001e", 6)]
    [InlineData("00000018", 6)]
    public void NullAcceptsBothByteOrders(string family, int version)
    {
        AssertIp(Cat(Hex(family), version == 4 ? Tcp4 : Tcp6), LinkType.Null, 4, version);
    }

    [Theory]
    [InlineData("00000007")] // AF_APPLETALK-ish: not IP
    [InlineData("002f006c")] // the garbage family of fuzz-2021-10-13.pcap
    public void NullWithAnotherFamilyIsNotIp(string family)
    {
        Assert.Equal(DecodeResult.NonIp, DecodeFrame(Cat(Hex(family), Tcp4), out var p, LinkType.Null));
        Assert.Equal(NonIpKind.Other, p.NonIp);
    }

    [Fact]
    public void LoopIsNetworkOrder()
    {
        AssertIp(Cat(Hex("00000002"), Tcp4), LinkType.Loop, 4, 4);
        AssertIp(Cat(Hex("00000018"), Tcp6), LinkType.Loop, 4, 6);
        // Loop has no byte-order ambiguity: a little-endian family is not recognised.
        Assert.Equal(DecodeResult.NonIp, DecodeFrame(Cat(Hex("02000000"), Tcp4), out _, LinkType.Loop));
    }

    [Theory]
    [InlineData(LinkType.Ppp, "ff030021", 4)]
    [InlineData(LinkType.Ppp, "0021", 4)]      // address and control compressed away
    [InlineData(LinkType.Ppp, "21", 4)]        // protocol field compressed to one byte
    [InlineData(LinkType.Ppp, "ff0357", 6)]
    [InlineData(LinkType.Ppp, "ff030057", 6)]
    [InlineData(LinkType.Ppp, "0f000800", 4)]  // Cisco HDLC on a PPP link (BGP_Cisco_hdlc_slarp.pcap)
    [InlineData(LinkType.Ppp, "8f0086dd", 6)]  // Cisco HDLC multicast address
    [InlineData(LinkType.PppHdlc, "ff030021", 4)]
    [InlineData(LinkType.PppHdlc, "0f000800", 4)]
    public void PppCarriesIp(LinkType linkType, string header, int version)
    {
        AssertIp(Cat(Hex(header), version == 4 ? Tcp4 : Tcp6), linkType, header.Length / 2, version);
    }

    [Theory]
    [InlineData("ff03c021")] // LCP
    [InlineData("ff038021")] // IPCP
    public void PppControlProtocolsAreNotIp(string header)
    {
        Assert.Equal(DecodeResult.NonIp, DecodeFrame(Cat(Hex(header), Hex("0101000a")), out var p, LinkType.Ppp));
        Assert.Equal(NonIpKind.Other, p.NonIp);
    }

    [Theory]
    [InlineData(LinkType.Raw)]
    [InlineData(LinkType.RawAlt12)]
    [InlineData(LinkType.RawAlt14)]
    public void RawPicksTheVersionFromTheFirstNibble(LinkType linkType)
    {
        AssertIp(Tcp4, linkType, 0, 4);
        AssertIp(Tcp6, linkType, 0, 6);
    }

    [Fact]
    public void RawWithAnotherVersionIsMalformed()
    {
        Assert.Equal(DecodeResult.Malformed, DecodeFrame(Patch(Tcp4, 0, 0x55), out var p, LinkType.Raw));
        Assert.Equal(MalformedReason.BadIpVersion, p.Malformed);
    }

    [Fact]
    public void Ipv4AndIpv6LinkTypesCheckTheVersion()
    {
        AssertIp(Tcp4, LinkType.Ipv4, 0, 4);
        AssertIp(Tcp6, LinkType.Ipv6, 0, 6);
        DecodeFrame(Tcp6, out var p, LinkType.Ipv4);
        Assert.Equal(MalformedReason.BadIpv4Version, p.Malformed);
        DecodeFrame(Cat(Tcp4, new byte[40]), out p, LinkType.Ipv6);
        Assert.Equal(MalformedReason.BadIpv6Version, p.Malformed);
    }

    [Fact]
    public void CiscoHdlcCarriesIpAndSlarp()
    {
        AssertIp(Cat(Hex("0f000800"), Tcp4), LinkType.CiscoHdlc, 4, 4);
        AssertIp(Cat(Hex("0f0086dd"), Tcp6), LinkType.CiscoHdlc, 4, 6);

        var slarp = Cat(Hex("8f008035"), Hex("00000000 0a000001 ffffff00 ffff"));
        Assert.Equal(DecodeResult.NonIp, DecodeFrame(slarp, out var p, LinkType.CiscoHdlc));
        Assert.Equal(NonIpKind.Slarp, p.NonIp);

        // SLARP keepalives also show up on PPP links whose frames are really Cisco HDLC.
        Assert.Equal(DecodeResult.NonIp, DecodeFrame(slarp, out p, LinkType.Ppp));
        Assert.Equal(NonIpKind.Slarp, p.NonIp);

        Assert.Equal(DecodeResult.NonIp, DecodeFrame(Cat(Hex("8f002000"), new byte[20]), out p, LinkType.CiscoHdlc)); // CDP
        Assert.Equal(NonIpKind.Other, p.NonIp);
    }

    [Fact]
    public void LinuxSllReadsTheProtocol()
    {
        // outgoing (4), ARPHRD_ETHER, 6-byte address + 2 padding, IPv4
        AssertIp(Cat(Hex("0004 0001 0006 0a0b0c0d0e0f 0000 0800"), Tcp4), LinkType.LinuxSll, 16, 4);
        // A tunnel interface (ARPHRD_NONE, no address).
        AssertIp(Cat(Hex("0000 fffe 0000 0000000000000000 86dd"), Tcp6), LinkType.LinuxSll, 16, 6);

        var vlan = Cat(Hex("0000 0001 0006 0a0b0c0d0e0f 0000 8100 0064 0800"), Tcp4);
        AssertIp(vlan, LinkType.LinuxSll, 20, 4);
        DecodeFrame(vlan, out var p, LinkType.LinuxSll);
        Assert.Equal(100, p.VlanId);
    }

    [Fact]
    public void LinuxSll2ReadsTheProtocol()
    {
        // protocol, reserved, ifindex, ARPHRD_ETHER, packet type, address length 6, address + padding
        AssertIp(Cat(Hex("86dd 0000 00000003 0001 00 06 0a0b0c0d0e0f 0000"), Tcp6), LinkType.LinuxSll2, 20, 6);

        Assert.Equal(DecodeResult.NonIp, DecodeFrame(Cat(Hex("0806 0000 00000003 0001 00 06 0a0b0c0d0e0f 0000"), new byte[28]), out var p, LinkType.LinuxSll2));
        Assert.Equal(NonIpKind.Arp, p.NonIp);
    }

    [Fact]
    public void UnknownLinkTypeIsUnsupported()
    {
        Assert.Equal(DecodeResult.Malformed, DecodeFrame(Tcp4, out var p, (LinkType)127)); // 802.11 radiotap
        Assert.Equal(MalformedReason.UnsupportedLinkType, p.Malformed);
    }

    public static TheoryData<LinkType> AllLinkTypes() => new(Enum.GetValues<LinkType>());

    [Theory]
    [MemberData(nameof(AllLinkTypes))]
    public void BuilderFramingDecodesOnEveryLinkType(LinkType linkType)
    {
        foreach (var packet in new[] { Tcp4, Tcp6 })
        {
            if ((linkType == LinkType.Ipv4 && packet == Tcp6) || (linkType == LinkType.Ipv6 && packet == Tcp4))
                continue; // those link types carry one version only
            var frame = PacketBuilder.Link(linkType, packet);
            AssertIp(frame, linkType, frame.Length - packet.Length, packet[0] >> 4);
        }
    }
}
