using System.Buffers.Binary;
using static Tocsin.Decode.Tests.Frames;

namespace Tocsin.Decode.Tests;

public class TransportTests
{
    private static readonly byte[] Payload = Enumerable.Range(0, 100).Select(i => (byte)(i + 1)).ToArray();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TcpFieldsAndPayload(bool ipv6)
    {
        var (src, dst) = ipv6 ? (InnerA6, InnerB6) : (InnerA, InnerB);
        var frame = PacketBuilder.Tcp(src, 51000, dst, 443, TcpFlags.Psh | TcpFlags.Ack, seq: 0xDEADBEEF, ack: 0x01020304,
            payload: Payload, window: 1024);
        Assert.Equal(DecodeResult.Ip, DecodeFrame(frame, out var p));
        AssertTcp(p, src, 51000, dst, 443);
        Assert.True(p.IsTcp);
        Assert.Equal(TcpFlags.Psh | TcpFlags.Ack, p.TcpFlags);
        Assert.Equal(0xDEADBEEFu, p.TcpSeq);
        Assert.Equal(1024, p.TcpWindow);
        int l4 = 14 + (ipv6 ? 40 : 20);
        Assert.Equal(l4, p.L4Offset);
        Assert.Equal(l4 + 20, p.PayloadOffset);
        Assert.Equal(100, p.PayloadLength);
        Assert.Equal(Payload, p.CapturedPayload(frame).ToArray());
    }

    [Fact]
    public void TcpOptionsAreNotPayload()
    {
        // Data offset 8: 12 bytes of options (MSS, SACK permitted, window scale...) taken from the payload.
        var frame = PacketBuilder.Tcp(InnerA, 51000, InnerB, 443, TcpFlags.Syn, payload: Payload);
        frame[14 + 20 + 12] = 8 << 4;
        Assert.Equal(DecodeResult.Ip, DecodeFrame(frame, out var p));
        Assert.Equal(14 + 20 + 32, p.PayloadOffset);
        Assert.Equal(88, p.PayloadLength);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void UdpFieldsAndPayload(bool ipv6)
    {
        var (src, dst) = ipv6 ? (InnerA6, InnerB6) : (InnerA, InnerB);
        var frame = PacketBuilder.Udp(src, 5353, dst, 53, Payload);
        Assert.Equal(DecodeResult.Ip, DecodeFrame(frame, out var p));
        Assert.True(p.IsUdp);
        Assert.Equal(5353, p.SrcPort);
        Assert.Equal(53, p.DstPort);
        Assert.Equal(14 + (ipv6 ? 48 : 28), p.PayloadOffset);
        Assert.Equal(100, p.PayloadLength);
        Assert.Equal(0, p.TcpFlags);
    }

    [Fact]
    public void UdpLengthBelowTheIpLengthWins()
    {
        // A UDP datagram of 8 + 40 bytes in an IP packet that declares 60 more bytes: trailing bytes are not payload.
        var frame = PacketBuilder.Udp(InnerA, 5353, InnerB, 53, Payload);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(14 + 20 + 4), 48);
        DecodeFrame(frame, out var p);
        Assert.Equal(40, p.PayloadLength);
    }

    [Fact]
    public void UdpLengthAboveTheIpLengthGivesWay()
    {
        // First fragment of a 2000-byte datagram: only the bytes of this packet count.
        var frame = PacketBuilder.Udp(InnerA, 5353, InnerB, 53, Payload);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(14 + 20 + 4), 2008);
        frame[20] = 0x20; // MF
        DecodeFrame(frame, out var p);
        Assert.Equal(100, p.PayloadLength);
    }

    [Fact]
    public void IcmpHasAnEightByteHeaderAndNoPorts()
    {
        var frame = PacketBuilder.Icmp(InnerA, InnerB, 3, 3, Payload); // port unreachable
        Assert.Equal(DecodeResult.Ip, DecodeFrame(frame, out var p));
        Assert.Equal(IpProtocol.Icmp, p.Protocol);
        Assert.Equal(0, p.SrcPort);
        Assert.Equal(0, p.DstPort);
        Assert.Equal(34, p.L4Offset);
        Assert.Equal(42, p.PayloadOffset);
        Assert.Equal(100, p.PayloadLength);
    }

    [Fact]
    public void Icmpv6HasAnEightByteHeaderAndNoPorts()
    {
        var frame = PacketBuilder.Icmp(InnerA6, InnerB6, 128, 0, Payload); // echo request
        Assert.Equal(DecodeResult.Ip, DecodeFrame(frame, out var p));
        Assert.Equal(IpProtocol.Icmpv6, p.Protocol);
        Assert.Equal(0, p.SrcPort);
        Assert.Equal(54, p.L4Offset);
        Assert.Equal(100, p.PayloadLength);
    }

    [Theory]
    [InlineData(IpProtocol.Igmp)]
    [InlineData(IpProtocol.Sctp)]
    [InlineData(IpProtocol.Gre)]   // with tunnels off below: GRE is then just a protocol
    [InlineData(IpProtocol.IpInIp)]
    public void OtherProtocolsHaveNoTransportParse(byte protocol)
    {
        var frame = PacketBuilder.Ethernet(PacketBuilder.IpPacket(InnerA, InnerB, protocol, Payload));
        Assert.Equal(DecodeResult.Ip, DecodeFrame(frame, out var p, options: new DecoderOptions { DecapsulateTunnels = false }));
        Assert.Equal(protocol, p.Protocol);
        Assert.Equal(0, p.SrcPort);
        Assert.Equal(0, p.DstPort);
        Assert.Equal(-1, p.L4Offset);
        Assert.Equal(34, p.PayloadOffset);
        Assert.Equal(100, p.PayloadLength);
        Assert.Equal(TunnelKind.None, p.Tunnel);
    }

    [Fact]
    public void EveryFieldIsResetBetweenPackets()
    {
        var decoder = new PacketDecoder();
        var p = new DecodedPacket();
        var tcp = PacketBuilder.Tcp(InnerA, 51000, InnerB, 443, TcpFlags.Syn, seq: 7, ack: 8, payload: Payload, vlan: 9);
        decoder.Decode(tcp, Capture.LinkType.Ethernet, tcp.Length, ref p);
        Assert.Equal(51000, p.SrcPort);

        var arp = Cat(Hex("ffffffffffff 020000000003 0806"), new byte[28]);
        Assert.Equal(DecodeResult.NonIp, decoder.Decode(arp, Capture.LinkType.Ethernet, arp.Length, ref p));
        var expected = new DecodedPacket
        {
            NonIp = NonIpKind.Arp,
            L3Offset = -1,
            L4Offset = -1,
            WireLength = arp.Length,
        };
        Assert.Equal(expected, p);
    }
}
