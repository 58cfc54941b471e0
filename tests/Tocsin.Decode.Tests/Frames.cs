using System.Buffers.Binary;
using Tocsin.Capture;

namespace Tocsin.Decode.Tests;

/// <summary>Addresses, hand-assembled headers and a decode shortcut shared by the tests.</summary>
internal static class Frames
{
    public static readonly IpAddr OuterA = IpAddr.Parse("198.51.100.1");
    public static readonly IpAddr OuterB = IpAddr.Parse("198.51.100.2");
    public static readonly IpAddr OuterA6 = IpAddr.Parse("2001:db8:ff::1");
    public static readonly IpAddr OuterB6 = IpAddr.Parse("2001:db8:ff::2");
    public static readonly IpAddr InnerA = IpAddr.Parse("10.1.1.1");
    public static readonly IpAddr InnerB = IpAddr.Parse("10.2.2.2");
    public static readonly IpAddr InnerA6 = IpAddr.Parse("2001:db8:1::1");
    public static readonly IpAddr InnerB6 = IpAddr.Parse("2001:db8:2::2");

    public static DecodeResult DecodeFrame(byte[] frame, out DecodedPacket packet, LinkType linkType = LinkType.Ethernet,
        DecoderOptions? options = null)
    {
        packet = default;
        return new PacketDecoder(options).Decode(frame, linkType, frame.Length, ref packet);
    }

    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    public static byte[] Cat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    /// <summary>An Ethernet frame by hand: the builder's MACs, then whatever header bytes follow, then the payload.</summary>
    public static byte[] Eth(string afterMacs, byte[] payload) => Cat(Hex("020000000002 020000000001"), Hex(afterMacs), payload);

    public static byte[] U16(int value)
    {
        var b = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(b, (ushort)value);
        return b;
    }

    /// <summary>The inner packet most tunnel tests carry: a TCP SYN 10.1.1.1:40000 → 10.2.2.2:443.</summary>
    public static byte[] InnerTcp() => PacketBuilder.TcpPacket(InnerA, 40000, InnerB, 443, TcpFlags.Syn, seq: 1000);

    public static byte[] InnerUdp6() => PacketBuilder.UdpPacket(InnerA6, 5353, InnerB6, 53, [1, 2, 3, 4]);

    /// <summary>An Ethernet frame carrying UDP between the outer addresses with the given payload.</summary>
    public static byte[] OverUdp(ushort srcPort, ushort dstPort, params byte[][] payload) =>
        PacketBuilder.Udp(OuterA, srcPort, OuterB, dstPort, Cat(payload));

    /// <summary>An Ethernet frame carrying an IPv4 packet of <paramref name="protocol"/> between the outer addresses.</summary>
    public static byte[] OverIp(byte protocol, params byte[][] payload) =>
        PacketBuilder.Ethernet(PacketBuilder.IpPacket(OuterA, OuterB, protocol, Cat(payload)));

    /// <summary>Sets bytes of a built frame (IPv4 header fields, TCP data offset...) to craft odd packets.</summary>
    public static byte[] Patch(byte[] frame, int offset, params byte[] bytes)
    {
        var copy = frame.ToArray();
        bytes.CopyTo(copy, offset);
        return copy;
    }

    public static void AssertTcp(in DecodedPacket p, IpAddr src, ushort srcPort, IpAddr dst, ushort dstPort)
    {
        Assert.Equal(IpProtocol.Tcp, p.Protocol);
        Assert.Equal(src, p.Src);
        Assert.Equal(dst, p.Dst);
        Assert.Equal(srcPort, p.SrcPort);
        Assert.Equal(dstPort, p.DstPort);
    }

    public static void AssertInnerTcp(in DecodedPacket p) => AssertTcp(p, InnerA, 40000, InnerB, 443);
}
