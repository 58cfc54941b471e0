using Tocsin.Capture;
using static Tocsin.Decode.Tests.Frames;

namespace Tocsin.Decode.Tests;

public class PacketBuilderTests
{
    /// <summary>
    /// RFC 1071 the slow way, independent of the builder: add up 16-bit big-endian words, fold the carries.
    /// Over data that includes a correct checksum the result is 0xFFFF.
    /// </summary>
    private static int OnesComplementSum(IEnumerable<byte> bytes)
    {
        var data = bytes.ToArray();
        long sum = 0;
        for (int i = 0; i < data.Length; i += 2)
            sum += (data[i] << 8) + (i + 1 < data.Length ? data[i + 1] : 0);
        while (sum >> 16 != 0)
            sum = (sum & 0xFFFF) + (sum >> 16);
        return (int)sum;
    }

    private static byte[] PseudoHeader(byte[] ip, int protocol, int l4Length) => ip[0] >> 4 == 4
        ? [.. ip[12..20], 0, (byte)protocol, (byte)(l4Length >> 8), (byte)l4Length]
        : [.. ip[8..40], 0, 0, (byte)(l4Length >> 8), (byte)l4Length, 0, 0, 0, (byte)protocol];

    private static void AssertChecksumsVerify(byte[] frame, int l3Offset, byte expectedProtocol)
    {
        var ip = frame[l3Offset..];
        bool v4 = ip[0] >> 4 == 4;
        int header = v4 ? 20 : 40;
        int protocol = v4 ? ip[9] : ip[6];
        Assert.Equal(expectedProtocol, protocol);
        var l4 = ip[header..];
        if (v4)
            Assert.Equal(0xFFFF, OnesComplementSum(ip[..20]));
        var covered = protocol == IpProtocol.Icmp ? l4 : [.. PseudoHeader(ip, protocol, l4.Length), .. l4];
        Assert.Equal(0xFFFF, OnesComplementSum(covered));
    }

    /// <summary>TCP over IPv4, and over IPv6 behind a VLAN tag; UDP over IPv4 with an odd length, and over IPv6; ICMP and ICMPv6.</summary>
    public static TheoryData<byte, byte[], int> BuiltFrames() => new()
    {
        { IpProtocol.Tcp, PacketBuilder.Tcp(InnerA, 51000, InnerB, 443, TcpFlags.Syn, 12345, 0, [1, 2, 3]), 14 },
        { IpProtocol.Tcp, PacketBuilder.Tcp(InnerA6, 51000, InnerB6, 443, TcpFlags.Ack, 1, 2, [.. Enumerable.Range(0, 301).Select(i => (byte)i)], vlan: 3), 18 },
        { IpProtocol.Udp, PacketBuilder.Udp(IpAddr.Parse("255.255.255.254"), 65535, IpAddr.Parse("255.255.255.255"), 65535, [0xFF, 0xFF, 0xFF]), 14 },
        { IpProtocol.Udp, PacketBuilder.Udp(InnerA6, 5353, IpAddr.Parse("ff02::fb"), 5353, new byte[1000]), 14 },
        { IpProtocol.Icmp, PacketBuilder.Icmp(InnerA, InnerB, 8, 0, [0xAB, 0xCD, 0xEF]), 14 },
        { IpProtocol.Icmpv6, PacketBuilder.Icmp(InnerA6, InnerB6, 135, 0, new byte[24]), 14 },
    };

    [Theory]
    [MemberData(nameof(BuiltFrames))]
    public void ChecksumsVerifyIndependently(byte protocol, byte[] frame, int l3Offset) =>
        AssertChecksumsVerify(frame, l3Offset, protocol);

    /// <summary>Checksums of frames that tshark (with checksum validation on) reported as correct.</summary>
    [Fact]
    public void ChecksumsMatchWhatWiresharkValidated()
    {
        var tcp = PacketBuilder.Tcp(InnerA, 51000, InnerB, 443, TcpFlags.Psh | TcpFlags.Ack, 0xDEADBEEF, 0x01020304, [1, 2, 3, 4, 5]);
        Assert.Equal("23c6", Convert.ToHexStringLower(tcp, 24, 2));
        Assert.Equal("2525", Convert.ToHexStringLower(tcp, 50, 2));

        var tcp6 = PacketBuilder.Tcp(InnerA6, 51000, InnerB6, 443, TcpFlags.Syn, 1, 0, [1, 2, 3], vlan: 7);
        Assert.Equal("8771", Convert.ToHexStringLower(tcp6, 18 + 40 + 16, 2));

        var udp = PacketBuilder.Udp(InnerA, 5353, InnerB, 53, [9, 8, 7]);
        Assert.Equal("23c9", Convert.ToHexStringLower(udp, 24, 2));
        Assert.Equal("c3ac", Convert.ToHexStringLower(udp, 40, 2));

        var udp6 = PacketBuilder.Udp(InnerA6, 5353, InnerB6, 53, [9, 8, 7, 6, 5]);
        Assert.Equal("7a30", Convert.ToHexStringLower(udp6, 60, 2));

        var icmp = PacketBuilder.Icmp(InnerA, InnerB, 8, 0, [1, 2, 3]);
        Assert.Equal("23d9", Convert.ToHexStringLower(icmp, 24, 2));
        Assert.Equal("f3fd", Convert.ToHexStringLower(icmp, 36, 2));

        var icmp6 = PacketBuilder.Icmp(InnerA6, InnerB6, 128, 0, [1, 2, 3]);
        Assert.Equal("2040", Convert.ToHexStringLower(icmp6, 56, 2));
    }

    [Fact]
    public void IcmpChecksumMatchesARealCapture()
    {
        // malformed_icmp.pcap: type 165, code 0, no data, checksum 0x5aff (Wireshark: correct).
        var packet = PacketBuilder.IcmpPacket(IpAddr.Parse("218.152.179.213"), IpAddr.Parse("218.152.179.54"), 165, 0);
        Assert.Equal(Hex("a5005aff00000000"), packet[20..]);
    }

    [Fact]
    public void HeadersAreLaidOutAsOnTheWire()
    {
        var frame = PacketBuilder.Tcp(InnerA, 0x1234, InnerB, 0x0050, TcpFlags.Syn, seq: 0x01020304, ack: 0x05060708, payload: [0xEE], vlan: 0x0123, window: 0x4000);
        Assert.Equal(Hex("020000000002 020000000001 8100 0123 0800"), frame[..18]);
        Assert.Equal(Hex("45 00 0029 0000 4000 40 06"), frame[18..28]); // IHL 5, length 41, DF, TTL 64, TCP
        Assert.Equal(Hex("0a010101 0a020202"), frame[30..38]);
        Assert.Equal(Hex("1234 0050 01020304 05060708 50 02 4000"), frame[38..54]);
        Assert.Equal(Hex("0000"), frame[56..58]); // urgent pointer
        Assert.Equal(0xEE, frame[^1]);

        var udp6 = PacketBuilder.UdpPacket(InnerA6, 1, InnerB6, 2, [7, 7]);
        Assert.Equal(Hex("60000000 000a 11 40"), udp6[..8]); // payload length 10, UDP, hop limit 64
        Assert.Equal(Hex("0001 0002 000a"), udp6[40..46]);
    }

    [Fact]
    public void IpPacketTakesThePayloadAsIs()
    {
        var packet = PacketBuilder.IpPacket(InnerA, InnerB, IpProtocol.Esp, [1, 2, 3, 4]);
        Assert.Equal(24, packet.Length);
        Assert.Equal(IpProtocol.Esp, packet[9]);
        Assert.Equal(Hex("01020304"), packet[20..]);
        Assert.Equal(0xFFFF, OnesComplementSum(packet[..20]));
    }

    [Fact]
    public void MixedAddressFamiliesAreRejected()
    {
        Assert.Throws<ArgumentException>(() => PacketBuilder.UdpPacket(InnerA, 1, InnerB6, 2));
    }

    [Fact]
    public void LinkFramingHeaders()
    {
        var ip = InnerTcp();
        Assert.Equal(Hex("02000000"), PacketBuilder.Link(LinkType.Null, ip)[..4]);
        Assert.Equal(Hex("00000002"), PacketBuilder.Link(LinkType.Loop, ip)[..4]);
        Assert.Equal(Hex("ff030021"), PacketBuilder.Link(LinkType.Ppp, ip)[..4]);
        Assert.Equal(Hex("0f000800"), PacketBuilder.Link(LinkType.CiscoHdlc, ip)[..4]);
        Assert.Equal(ip, PacketBuilder.Link(LinkType.Raw, ip));
        Assert.Throws<ArgumentOutOfRangeException>(() => PacketBuilder.Link((LinkType)105, ip));
    }
}
