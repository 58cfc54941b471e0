using static Tocsin.Decode.Tests.Frames;

namespace Tocsin.Decode.Tests;

public class EthernetTests
{
    private static readonly byte[] Tcp4 = PacketBuilder.TcpPacket(InnerA, 1234, InnerB, 80, TcpFlags.Syn);
    private static readonly byte[] Tcp6 = PacketBuilder.TcpPacket(InnerA6, 1234, InnerB6, 80, TcpFlags.Syn);

    [Fact]
    public void VlanTagGivesTheVlanId()
    {
        var frame = PacketBuilder.Tcp(InnerA, 1234, InnerB, 80, TcpFlags.Syn, vlan: 42);
        Assert.Equal(DecodeResult.Ip, DecodeFrame(frame, out var p));
        Assert.Equal(42, p.VlanId);
        Assert.Equal(18, p.L3Offset);
        AssertTcp(p, InnerA, 1234, InnerB, 80);
    }

    [Fact]
    public void VlanIdIgnoresThePriorityBits()
    {
        DecodeFrame(Eth("8100 e00a 0800", Tcp4), out var p); // PCP 7, VID 10
        Assert.Equal(10, p.VlanId);
    }

    [Theory]
    [InlineData("88a8")]
    [InlineData("9100")]
    [InlineData("8100")]
    public void StackedTagsGiveTheInnermostVlan(string outerType)
    {
        var frame = Eth(outerType + " 0ca1 8100 6005 86dd", Tcp6); // as in ipv6_in_gtp.pcap: 3233 then 5
        Assert.Equal(DecodeResult.Ip, DecodeFrame(frame, out var p));
        Assert.Equal(5, p.VlanId);
        Assert.Equal(22, p.L3Offset);
        AssertTcp(p, InnerA6, 1234, InnerB6, 80);
    }

    [Fact]
    public void MplsStackIsPoppedToTheBottomLabel()
    {
        // label 100 (S=0), label 200 (S=1), TTL 64, then IPv4
        var frame = Eth("8847 00064040 000c8140", Tcp4);
        Assert.Equal(DecodeResult.Ip, DecodeFrame(frame, out var p));
        Assert.Equal(22, p.L3Offset);
        AssertTcp(p, InnerA, 1234, InnerB, 80);

        Assert.Equal(DecodeResult.Ip, DecodeFrame(Eth("8848 000c8140", Tcp6), out p)); // multicast ethertype, IPv6
        Assert.Equal(18, p.L3Offset);
        Assert.Equal(6, p.IpVersion);
    }

    [Fact]
    public void MplsOverVlanKeepsTheVlan()
    {
        Assert.Equal(DecodeResult.Ip, DecodeFrame(Eth("8100 0007 8847 000c8140", Tcp4), out var p));
        Assert.Equal(7, p.VlanId);
        Assert.Equal(22, p.L3Offset);
    }

    [Fact]
    public void MplsPseudowireIsNotIp()
    {
        // Ethernet pseudowire with a control word (first nibble 0)
        Assert.Equal(DecodeResult.NonIp, DecodeFrame(Eth("8847 000c8140 00000000", new byte[40]), out var p));
        Assert.Equal(NonIpKind.Other, p.NonIp);
    }

    [Fact]
    public void PppoeSessionCarriesIp()
    {
        // ver/type 0x11, code 0, session 0x1234, length, PPP protocol
        Assert.Equal(DecodeResult.Ip, DecodeFrame(Eth("8864 1100 1234 0030 0021", Tcp4), out var p));
        Assert.Equal(22, p.L3Offset);
        AssertTcp(p, InnerA, 1234, InnerB, 80);

        Assert.Equal(DecodeResult.Ip, DecodeFrame(Eth("8864 1100 1234 0050 0057", Tcp6), out p));
        AssertTcp(p, InnerA6, 1234, InnerB6, 80);

        Assert.Equal(DecodeResult.NonIp, DecodeFrame(Eth("8864 1100 1234 0006 c021", Hex("0901000a")), out p)); // LCP echo
        Assert.Equal(NonIpKind.Other, p.NonIp);
    }

    [Theory]
    [InlineData("0806", NonIpKind.Arp)]
    [InlineData("88cc", NonIpKind.Lldp)]
    [InlineData("0026", NonIpKind.Llc)]  // 802.3 length: STP BPDU
    [InlineData("05dc", NonIpKind.Llc)]  // largest 802.3 length
    [InlineData("8137", NonIpKind.Other)] // IPX
    [InlineData("8863", NonIpKind.Other)] // PPPoE discovery
    [InlineData("88e5", NonIpKind.Other)] // MACsec
    public void NonIpEthertypes(string type, NonIpKind kind)
    {
        Assert.Equal(DecodeResult.NonIp, DecodeFrame(Eth(type, new byte[46]), out var p));
        Assert.Equal(kind, p.NonIp);
        Assert.Equal(-1, p.L3Offset);
    }

    [Fact]
    public void TaggedArpIsArp()
    {
        Assert.Equal(DecodeResult.NonIp, DecodeFrame(Eth("8100 0003 0806", new byte[28]), out var p));
        Assert.Equal(NonIpKind.Arp, p.NonIp);
        Assert.Equal(3, p.VlanId);
    }
}
