using System.Buffers.Binary;
using Tocsin.Capture;

namespace Tocsin.Decode;

/// <summary>
/// Builds well-formed frames for tests, demo captures and benchmarks: Ethernet (optionally VLAN-tagged) + IPv4 or
/// IPv6 (chosen by the addresses' family) + TCP, UDP or ICMP/ICMPv6, with every checksum correct. IPv4 headers
/// have no options, DF set and TTL 64; IPv6 headers hop limit 64; TCP headers no options.
/// </summary>
public static class PacketBuilder
{
    public const ulong SourceMac = 0x02_00_00_00_00_01;
    public const ulong DestinationMac = 0x02_00_00_00_00_02;

    public static byte[] Tcp(IpAddr src, ushort srcPort, IpAddr dst, ushort dstPort, byte flags, uint seq = 0, uint ack = 0,
        ReadOnlySpan<byte> payload = default, ushort vlan = 0, ushort window = 65535) =>
        Ethernet(TcpPacket(src, srcPort, dst, dstPort, flags, seq, ack, payload, window), vlan);

    public static byte[] Udp(IpAddr src, ushort srcPort, IpAddr dst, ushort dstPort, ReadOnlySpan<byte> payload = default,
        ushort vlan = 0) =>
        Ethernet(UdpPacket(src, srcPort, dst, dstPort, payload), vlan);

    /// <summary>ICMP between IPv4 addresses, ICMPv6 between IPv6 ones; the payload follows the 8-byte header.</summary>
    public static byte[] Icmp(IpAddr src, IpAddr dst, byte type, byte code, ReadOnlySpan<byte> payload = default, ushort vlan = 0) =>
        Ethernet(IcmpPacket(src, dst, type, code, payload), vlan);

    /// <summary>The IP packet of <see cref="Tcp"/>, without a link header.</summary>
    public static byte[] TcpPacket(IpAddr src, ushort srcPort, IpAddr dst, ushort dstPort, byte flags, uint seq = 0, uint ack = 0,
        ReadOnlySpan<byte> payload = default, ushort window = 65535)
    {
        var tcp = new byte[20 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(tcp, srcPort);
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(2), dstPort);
        BinaryPrimitives.WriteUInt32BigEndian(tcp.AsSpan(4), seq);
        BinaryPrimitives.WriteUInt32BigEndian(tcp.AsSpan(8), ack);
        tcp[12] = 5 << 4;
        tcp[13] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(14), window);
        payload.CopyTo(tcp.AsSpan(20));
        return Ip(src, dst, IpProtocol.Tcp, tcp, checksumOffset: 16);
    }

    /// <summary>The IP packet of <see cref="Udp"/>, without a link header.</summary>
    public static byte[] UdpPacket(IpAddr src, ushort srcPort, IpAddr dst, ushort dstPort, ReadOnlySpan<byte> payload = default)
    {
        var udp = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(udp, srcPort);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(2), dstPort);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(4), checked((ushort)udp.Length));
        payload.CopyTo(udp.AsSpan(8));
        return Ip(src, dst, IpProtocol.Udp, udp, checksumOffset: 6);
    }

    /// <summary>The IP packet of <see cref="Icmp"/>, without a link header.</summary>
    public static byte[] IcmpPacket(IpAddr src, IpAddr dst, byte type, byte code, ReadOnlySpan<byte> payload = default)
    {
        var icmp = new byte[8 + payload.Length];
        icmp[0] = type;
        icmp[1] = code;
        payload.CopyTo(icmp.AsSpan(8));
        return Ip(src, dst, src.IsV4 ? IpProtocol.Icmp : IpProtocol.Icmpv6, icmp, checksumOffset: 2);
    }

    /// <summary>An IPv4 or IPv6 header (with its checksum) before <paramref name="payload"/>, taken as is.</summary>
    public static byte[] IpPacket(IpAddr src, IpAddr dst, byte protocol, ReadOnlySpan<byte> payload) =>
        Ip(src, dst, protocol, payload, checksumOffset: -1);

    /// <summary>An Ethernet frame around an IP packet, the ethertype taken from its version nibble. VLAN 0: untagged.</summary>
    public static byte[] Ethernet(ReadOnlySpan<byte> ipPacket, ushort vlan = 0) =>
        Ethernet(ipPacket[0] >> 4 == 6 ? (ushort)0x86DD : (ushort)0x0800, ipPacket, vlan);

    /// <summary>An Ethernet frame from <see cref="SourceMac"/> to <see cref="DestinationMac"/>. VLAN 0: untagged.</summary>
    public static byte[] Ethernet(ushort etherType, ReadOnlySpan<byte> payload, ushort vlan = 0)
    {
        int header = vlan == 0 ? 14 : 18;
        var frame = new byte[header + payload.Length];
        WriteMac(frame, DestinationMac);
        WriteMac(frame.AsSpan(6), SourceMac);
        if (vlan != 0)
        {
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), 0x8100);
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(14), vlan);
        }
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(header - 2), etherType);
        payload.CopyTo(frame.AsSpan(header));
        return frame;
    }

    /// <summary>
    /// Frames an IP packet for <paramref name="linkType"/>: Null as written by a little-endian macOS host, Loop as
    /// OpenBSD, PPP with address and control, Linux SLL/SLL2 as received from <see cref="SourceMac"/>.
    /// </summary>
    public static byte[] Link(LinkType linkType, ReadOnlySpan<byte> ipPacket)
    {
        if (linkType == LinkType.Ethernet)
            return Ethernet(ipPacket);
        bool v6 = ipPacket[0] >> 4 == 6;
        byte typeHi = v6 ? (byte)0x86 : (byte)0x08;
        byte typeLo = v6 ? (byte)0xDD : (byte)0x00;
        byte[] header = linkType switch
        {
            LinkType.Raw or LinkType.RawAlt12 or LinkType.RawAlt14 or LinkType.Ipv4 or LinkType.Ipv6 => [],
            LinkType.Null => [v6 ? (byte)30 : (byte)2, 0, 0, 0],
            LinkType.Loop => [0, 0, 0, v6 ? (byte)24 : (byte)2],
            LinkType.Ppp or LinkType.PppHdlc => [0xFF, 0x03, 0x00, v6 ? (byte)0x57 : (byte)0x21],
            LinkType.CiscoHdlc => [0x0F, 0x00, typeHi, typeLo],
            LinkType.LinuxSll => [0, 0, 0, 1, 0, 6, .. MacBytes(SourceMac), 0, 0, typeHi, typeLo],
            LinkType.LinuxSll2 => [typeHi, typeLo, 0, 0, 0, 0, 0, 1, 0, 1, 0, 6, .. MacBytes(SourceMac), 0, 0],
            _ => throw new ArgumentOutOfRangeException(nameof(linkType), linkType, "no framing for this link type"),
        };
        return [.. header, .. ipPacket];
    }

    private static byte[] Ip(IpAddr src, IpAddr dst, byte protocol, ReadOnlySpan<byte> payload, int checksumOffset)
    {
        if (src.IsV4 != dst.IsV4)
            throw new ArgumentException("source and destination must be of the same IP version", nameof(dst));
        int header = src.IsV4 ? 20 : 40;
        if (payload.Length > ushort.MaxValue - (src.IsV4 ? header : 0))
            throw new ArgumentException("payload too large for one IP packet", nameof(payload));
        var packet = new byte[header + payload.Length];
        var h = packet.AsSpan(0, header);
        if (src.IsV4)
        {
            h[0] = 0x45;
            BinaryPrimitives.WriteUInt16BigEndian(h[2..], (ushort)packet.Length);
            h[6] = 0x40; // don't fragment
            h[8] = 64;
            h[9] = protocol;
            src.WriteBytes(h[12..]);
            dst.WriteBytes(h[16..]);
            BinaryPrimitives.WriteUInt16BigEndian(h[10..], Checksum(h, 0));
        }
        else
        {
            h[0] = 0x60;
            BinaryPrimitives.WriteUInt16BigEndian(h[4..], (ushort)payload.Length);
            h[6] = protocol;
            h[7] = 64;
            src.WriteBytes(h[8..]);
            dst.WriteBytes(h[24..]);
        }
        var l4 = packet.AsSpan(header);
        payload.CopyTo(l4);
        if (checksumOffset >= 0)
        {
            // ICMPv4 is the one checksum without the pseudo-header.
            uint pseudo = protocol == IpProtocol.Icmp ? 0 : PseudoHeaderSum(src, dst, protocol, l4.Length);
            ushort checksum = Checksum(l4, pseudo);
            if (checksum == 0 && protocol == IpProtocol.Udp)
                checksum = 0xFFFF; // 0 would mean "no checksum"
            BinaryPrimitives.WriteUInt16BigEndian(l4[checksumOffset..], checksum);
        }
        return packet;
    }

    private static uint PseudoHeaderSum(IpAddr src, IpAddr dst, byte protocol, int length)
    {
        Span<byte> pseudo = stackalloc byte[40];
        pseudo.Clear();
        if (src.IsV4)
        {
            src.WriteBytes(pseudo);
            dst.WriteBytes(pseudo[4..]);
            pseudo[9] = protocol;
            BinaryPrimitives.WriteUInt16BigEndian(pseudo[10..], (ushort)length);
            return Sum(pseudo[..12], 0);
        }
        src.WriteBytes(pseudo);
        dst.WriteBytes(pseudo[16..]);
        BinaryPrimitives.WriteUInt32BigEndian(pseudo[32..], (uint)length);
        pseudo[39] = protocol;
        return Sum(pseudo, 0);
    }

    /// <summary>RFC 1071 Internet checksum of <paramref name="data"/> on top of a partial <paramref name="sum"/>.</summary>
    private static ushort Checksum(ReadOnlySpan<byte> data, uint sum)
    {
        sum = Sum(data, sum);
        while (sum > 0xFFFF)
            sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~sum;
    }

    private static uint Sum(ReadOnlySpan<byte> data, uint sum)
    {
        int i = 0;
        for (; i + 1 < data.Length; i += 2)
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        if (i < data.Length)
            sum += (uint)data[i] << 8;
        return sum;
    }

    private static byte[] MacBytes(ulong mac)
    {
        var bytes = new byte[6];
        WriteMac(bytes, mac);
        return bytes;
    }

    private static void WriteMac(Span<byte> destination, ulong mac)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)(mac >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(destination[2..], (uint)mac);
    }
}
