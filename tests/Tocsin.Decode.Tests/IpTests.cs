using System.Buffers.Binary;
using Tocsin.Capture;
using static Tocsin.Decode.Tests.Frames;

namespace Tocsin.Decode.Tests;

public class IpTests
{
    private static readonly byte[] Payload = Enumerable.Range(0, 100).Select(i => (byte)i).ToArray();

    /// <summary>An Ethernet frame whose IPv4 header has 12 bytes of options (IHL 8).</summary>
    private static byte[] Ipv4WithOptions()
    {
        var packet = PacketBuilder.TcpPacket(InnerA, 1234, InnerB, 80, TcpFlags.Ack, payload: Payload);
        var withOptions = Cat(packet[..20], Hex("07070400000000000000 0000" /* record route + padding */), packet[20..]);
        withOptions[0] = 0x48;
        BinaryPrimitives.WriteUInt16BigEndian(withOptions.AsSpan(2), (ushort)withOptions.Length);
        return PacketBuilder.Ethernet(withOptions);
    }

    /// <summary>
    /// Inserts IPv6 extension headers between the fixed header and the transport header, chaining the next-header
    /// fields. Each body is the whole extension header; its first byte is overwritten with the next header.
    /// </summary>
    private static byte[] WithExtensions(byte[] ipv6Packet, params (byte Type, byte[] Header)[] chain)
    {
        byte last = ipv6Packet[6];
        var headers = new List<byte[]>();
        for (int i = 0; i < chain.Length; i++)
        {
            var h = chain[i].Header.ToArray();
            h[0] = i + 1 < chain.Length ? chain[i + 1].Type : last;
            headers.Add(h);
        }
        var fixedHeader = ipv6Packet[..40];
        fixedHeader[6] = chain[0].Type;
        var packet = Cat([fixedHeader, .. headers, ipv6Packet[40..]]);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), (ushort)(packet.Length - 40));
        return packet;
    }

    [Fact]
    public void Ipv4OptionsAreSkipped()
    {
        var frame = Ipv4WithOptions();
        Assert.Equal(DecodeResult.Ip, DecodeFrame(frame, out var p));
        Assert.Equal(14 + 32, p.L4Offset);
        Assert.Equal(14 + 32 + 20, p.PayloadOffset);
        Assert.Equal(100, p.PayloadLength);
        Assert.Equal(32 + 20 + 100, p.IpLength);
        Assert.Equal(TcpFlags.Ack, p.TcpFlags);
        AssertTcp(p, InnerA, 1234, InnerB, 80);
    }

    [Fact]
    public void SnappedFrameKeepsTheDeclaredLengths()
    {
        var full = PacketBuilder.Tcp(InnerA, 1234, InnerB, 80, TcpFlags.Ack, payload: Payload);
        var snapped = full[..64]; // 10 of the 100 payload bytes captured
        var p = new DecodedPacket();
        Assert.Equal(DecodeResult.Ip, new PacketDecoder().Decode(snapped, LinkType.Ethernet, full.Length, ref p));
        Assert.Equal(140, p.IpLength);
        Assert.Equal(54, p.PayloadOffset);
        Assert.Equal(100, p.PayloadLength);
        Assert.Equal(full.Length, p.WireLength);
        Assert.Equal(Payload[..10], p.CapturedPayload(snapped).ToArray());
    }

    [Fact]
    public void EthernetPaddingIsNotPayload()
    {
        var frame = Cat(PacketBuilder.Tcp(InnerA, 1234, InnerB, 80, TcpFlags.Ack), new byte[6]); // 54 + 6 = 60
        Assert.Equal(DecodeResult.Ip, DecodeFrame(frame, out var p));
        Assert.Equal(40, p.IpLength);
        Assert.Equal(0, p.PayloadLength);
        Assert.True(p.CapturedPayload(frame).IsEmpty);
    }

    [Fact]
    public void ZeroTotalLengthUsesTheCapturedLength()
    {
        // Captured before segmentation offload: the NIC fills the length in.
        var frame = Patch(PacketBuilder.Tcp(InnerA, 1234, InnerB, 80, TcpFlags.Ack, payload: Payload), 16, 0, 0);
        Assert.Equal(DecodeResult.Ip, DecodeFrame(frame, out var p));
        Assert.Equal(140, p.IpLength);
        Assert.Equal(100, p.PayloadLength);
    }

    [Fact]
    public void FirstIpv4FragmentHasItsTransportHeader()
    {
        var frame = Patch(PacketBuilder.Udp(InnerA, 5000, InnerB, 53, Payload), 20, 0x20, 0x00); // MF, offset 0
        Assert.Equal(DecodeResult.Ip, DecodeFrame(frame, out var p));
        Assert.True(p.IsFragment);
        Assert.False(p.IsLaterFragment);
        Assert.Equal(5000, p.SrcPort);
        Assert.Equal(53, p.DstPort);
        Assert.Equal(34, p.L4Offset);
    }

    [Theory]
    [InlineData(0x20, 0xB9)] // MF, offset 185 (1480 bytes)
    [InlineData(0x00, 0xB9)] // last fragment: no MF
    public void LaterIpv4FragmentHasNoTransportHeader(byte flagsHigh, byte offsetLow)
    {
        // The fragment's data still looks like the UDP header (5000 → 53): it must not be taken for one.
        var frame = Patch(PacketBuilder.Udp(InnerA, 5000, InnerB, 53, Payload), 20, flagsHigh, offsetLow);
        Assert.Equal(DecodeResult.Ip, DecodeFrame(frame, out var p));
        Assert.True(p.IsFragment);
        Assert.True(p.IsLaterFragment);
        Assert.Equal(IpProtocol.Udp, p.Protocol);
        Assert.Equal(0, p.SrcPort);
        Assert.Equal(0, p.DstPort);
        Assert.Equal(-1, p.L4Offset);
        Assert.Equal(34, p.PayloadOffset);
        Assert.Equal(108, p.PayloadLength);
        Assert.Equal(InnerA, p.Src);
    }

    [Fact]
    public void DontFragmentIsNotAFragment()
    {
        DecodeFrame(PacketBuilder.Udp(InnerA, 5000, InnerB, 53, Payload), out var p); // the builder sets DF
        Assert.False(p.IsFragment);
    }

    private static byte[] FragmentHeader(int offset, bool more) =>
        Cat([0, 0], U16(offset << 3 | (more ? 1 : 0)), Hex("12345678"));

    [Fact]
    public void FirstIpv6FragmentHasItsTransportHeader()
    {
        var packet = WithExtensions(PacketBuilder.UdpPacket(InnerA6, 5000, InnerB6, 53, Payload), (44, FragmentHeader(0, more: true)));
        Assert.Equal(DecodeResult.Ip, DecodeFrame(PacketBuilder.Ethernet(packet), out var p));
        Assert.True(p.IsFragment);
        Assert.False(p.IsLaterFragment);
        Assert.Equal(IpProtocol.Udp, p.Protocol);
        Assert.Equal(5000, p.SrcPort);
        Assert.Equal(14 + 48, p.L4Offset);
        Assert.Equal(100, p.PayloadLength);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void LaterIpv6FragmentHasNoTransportHeader(bool more)
    {
        var packet = WithExtensions(PacketBuilder.UdpPacket(InnerA6, 5000, InnerB6, 53, Payload), (44, FragmentHeader(181, more)));
        Assert.Equal(DecodeResult.Ip, DecodeFrame(PacketBuilder.Ethernet(packet), out var p));
        Assert.True(p.IsFragment);
        Assert.True(p.IsLaterFragment);
        Assert.Equal(IpProtocol.Udp, p.Protocol);
        Assert.Equal(0, p.SrcPort);
        Assert.Equal(-1, p.L4Offset);
        Assert.Equal(14 + 48, p.PayloadOffset);
        Assert.Equal(108, p.PayloadLength);
    }

    [Fact]
    public void AtomicIpv6FragmentIsAWholePacket()
    {
        var packet = WithExtensions(PacketBuilder.UdpPacket(InnerA6, 5000, InnerB6, 53, Payload), (44, FragmentHeader(0, more: false)));
        Assert.Equal(DecodeResult.Ip, DecodeFrame(PacketBuilder.Ethernet(packet), out var p));
        Assert.False(p.IsFragment);
        Assert.Equal(5000, p.SrcPort);
    }

    [Fact]
    public void Ipv6ExtensionChainIsWalked()
    {
        var packet = WithExtensions(
            PacketBuilder.TcpPacket(InnerA6, 1234, InnerB6, 80, TcpFlags.Syn, payload: Payload),
            (0, Hex("0000 010400000000")),                        // hop-by-hop, 8 bytes (PadN)
            (43, Hex("0002 0201 00000000 20010db8000000000000000000000009")), // type 2 routing: (2+1)*8 = 24 bytes
            (60, Hex("0001 010c 000000000000000000000000")),       // destination options (PadN): 16 bytes
            (51, Hex("0004 0000 00001000 00000001 0102030405060708 090a0b0c"))); // AH: (4+2)*4 = 24 bytes
        Assert.Equal(DecodeResult.Ip, DecodeFrame(PacketBuilder.Ethernet(packet), out var p));
        int l4 = 14 + 40 + 8 + 24 + 16 + 24;
        Assert.Equal(l4, p.L4Offset);
        Assert.Equal(l4 + 20, p.PayloadOffset);
        Assert.Equal(100, p.PayloadLength);
        Assert.Equal(packet.Length, p.IpLength);
        AssertTcp(p, InnerA6, 1234, InnerB6, 80);
    }

    [Fact]
    public void MobilityHeaderThenNoNextHeader()
    {
        // Mobility header (binding refresh request, 8 bytes) whose payload protocol is 59: nothing follows.
        var packet = WithExtensions(PacketBuilder.IpPacket(InnerA6, InnerB6, 59, []), (135, Hex("0000 0000 0000 0000")));
        Assert.Equal(DecodeResult.Ip, DecodeFrame(PacketBuilder.Ethernet(packet), out var p));
        Assert.Equal(59, p.Protocol);
        Assert.Equal(-1, p.L4Offset);
        Assert.Equal(14 + 48, p.PayloadOffset);
        Assert.Equal(0, p.PayloadLength);
    }

    [Fact]
    public void EspIsAProtocolWithoutTransportParse()
    {
        var frame = PacketBuilder.Ethernet(PacketBuilder.IpPacket(InnerA6, InnerB6, IpProtocol.Esp, Payload));
        Assert.Equal(DecodeResult.Ip, DecodeFrame(frame, out var p));
        Assert.Equal(IpProtocol.Esp, p.Protocol);
        Assert.Equal(-1, p.L4Offset);
        Assert.Equal(0, p.SrcPort);
        Assert.Equal(54, p.PayloadOffset);
        Assert.Equal(100, p.PayloadLength);
    }

    [Fact]
    public void ZeroIpv6PayloadLengthUsesTheCapturedLength()
    {
        var frame = Patch(PacketBuilder.Tcp(InnerA6, 1234, InnerB6, 80, TcpFlags.Ack, payload: Payload), 18, 0, 0);
        Assert.Equal(DecodeResult.Ip, DecodeFrame(frame, out var p));
        Assert.Equal(160, p.IpLength);
        Assert.Equal(100, p.PayloadLength);
    }
}
