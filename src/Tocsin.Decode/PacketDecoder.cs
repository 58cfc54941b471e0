using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Tocsin.Capture;

namespace Tocsin.Decode;

/// <summary>
/// Decodes the link, IP and transport headers of one frame into a <see cref="DecodedPacket"/>, stripping tunnels.
/// Never throws on bad input and never allocates. One decoder per reading thread; not thread-safe.
/// </summary>
/// <remarks>
/// Every layer reads only within <c>end</c>: the captured bytes, further bounded by the enclosing layer's declared
/// length, so trailing padding and snapped frames are handled alike. Lengths reported (IP, payload) are the declared
/// ones, so byte counts stay right on snapped captures.
/// </remarks>
public sealed class PacketDecoder
{
    /// <summary>Tunnels stripped from one frame at most: one more is <see cref="MalformedReason.TunnelTooDeep"/>.</summary>
    public const int MaxTunnelDepth = 4;

    private const int EtherTypeIpv4 = 0x0800;
    private const int EtherTypeArp = 0x0806;
    private const int EtherTypeVlan = 0x8100;
    private const int EtherTypeQinQ = 0x88A8;
    private const int EtherTypeQinQOld = 0x9100;
    private const int EtherTypeIpv6 = 0x86DD;
    private const int EtherTypeMplsUnicast = 0x8847;
    private const int EtherTypeMplsMulticast = 0x8848;
    private const int EtherTypePppoeSession = 0x8864;
    private const int EtherTypeLldp = 0x88CC;
    private const int EtherTypeSlarp = 0x8035;
    private const int EtherTypeTeb = 0x6558;
    private const int EtherTypePpp = 0x880B;
    private const int MinEtherType = 0x0600;

    private const int PppIpv4 = 0x0021;
    private const int PppIpv6 = 0x0057;

    private const int GtpUPort = 2152;
    private const int TeredoPort = 3544;
    private const int VxlanPort = 4789;
    private const int CapwapDataPort = 5247;
    private const int TzspPort = 37008;

    private readonly bool decapsulateTunnels;
    private readonly bool decapsulateTeredo;

    // Encapsulations seen in the frame being decoded, for the stats.
    private bool sawVlan;
    private bool sawMpls;
    private bool sawPppoe;

    public PacketDecoder(DecoderOptions? options = null)
    {
        options ??= DecoderOptions.Default;
        decapsulateTunnels = options.DecapsulateTunnels;
        decapsulateTeredo = options.DecapsulateTunnels && options.DecapsulateTeredo;
    }

    public DecodeStats Stats { get; } = new();

    /// <summary>
    /// Decodes <paramref name="frame"/> (the captured bytes) into <paramref name="packet"/>, which is reset first.
    /// For <see cref="DecodeResult.NonIp"/> and <see cref="DecodeResult.Malformed"/> only the result fields
    /// (<see cref="DecodedPacket.NonIp"/>, <see cref="DecodedPacket.Malformed"/>, <see cref="DecodedPacket.Tunnel"/>)
    /// and the link fields are meaningful.
    /// </summary>
    public DecodeResult Decode(ReadOnlySpan<byte> frame, LinkType linkType, int wireLength, ref DecodedPacket packet)
    {
        packet = default;
        packet.WireLength = wireLength;
        packet.L3Offset = -1;
        packet.L4Offset = -1;
        sawVlan = sawMpls = sawPppoe = false;

        var result = linkType switch
        {
            LinkType.Ethernet => Ethernet(frame, 0, frame.Length, ref packet, 0),
            LinkType.Raw or LinkType.RawAlt12 or LinkType.RawAlt14 => RawIp(frame, ref packet),
            LinkType.Ipv4 => Ipv4(frame, 0, frame.Length, ref packet, 0),
            LinkType.Ipv6 => Ipv6(frame, 0, frame.Length, ref packet, 0),
            LinkType.Null => AddressFamily(frame, hostOrder: true, ref packet),
            LinkType.Loop => AddressFamily(frame, hostOrder: false, ref packet),
            LinkType.LinuxSll => LinuxSll(frame, ref packet),
            LinkType.LinuxSll2 => LinuxSll2(frame, ref packet),
            LinkType.Ppp or LinkType.PppHdlc => PppLink(frame, ref packet),
            LinkType.CiscoHdlc => CiscoHdlc(frame, ref packet),
            _ => Bad(ref packet, MalformedReason.UnsupportedLinkType),
        };
        Stats.Count(result, in packet, sawVlan, sawMpls, sawPppoe);
        return result;
    }

    // ---- Link layers ----

    private DecodeResult Ethernet(ReadOnlySpan<byte> f, int off, int end, ref DecodedPacket p, int depth)
    {
        if (end - off < 14)
            return Bad(ref p, MalformedReason.TruncatedLinkHeader);
        return EtherType(f, off + 14, end, U16(f, off + 12), ref p, depth);
    }

    /// <summary>Dispatches on an ethertype (Ethernet, Linux SLL, Cisco HDLC, 802.11 LLC/SNAP), after any VLAN tags.</summary>
    private DecodeResult EtherType(ReadOnlySpan<byte> f, int off, int end, int type, ref DecodedPacket p, int depth)
    {
        while (type is EtherTypeVlan or EtherTypeQinQ or EtherTypeQinQOld)
        {
            if (end - off < 4)
                return Bad(ref p, MalformedReason.TruncatedVlan);
            // The outer frame's VLAN identifies the link; tags inside a tunnel belong to the tunnelled network.
            if (depth == 0)
            {
                p.VlanId = (ushort)(U16(f, off) & 0x0FFF);
                sawVlan = true;
            }
            type = U16(f, off + 2);
            off += 4;
        }

        return type switch
        {
            EtherTypeIpv4 => Ipv4(f, off, end, ref p, depth),
            EtherTypeIpv6 => Ipv6(f, off, end, ref p, depth),
            EtherTypeMplsUnicast or EtherTypeMplsMulticast => Mpls(f, off, end, ref p, depth),
            EtherTypePppoeSession => Pppoe(f, off, end, ref p, depth),
            EtherTypeArp => NonIp(ref p, NonIpKind.Arp),
            EtherTypeLldp => NonIp(ref p, NonIpKind.Lldp),
            < MinEtherType => NonIp(ref p, NonIpKind.Llc), // an 802.3 length field
            _ => NonIp(ref p, NonIpKind.Other),
        };
    }

    private DecodeResult Mpls(ReadOnlySpan<byte> f, int off, int end, ref DecodedPacket p, int depth)
    {
        sawMpls = true;
        while (true)
        {
            if (end - off < 4)
                return Bad(ref p, MalformedReason.TruncatedMpls);
            bool bottomOfStack = (f[off + 2] & 1) != 0;
            off += 4;
            if (bottomOfStack)
                break;
        }
        if (off >= end)
            return Bad(ref p, MalformedReason.TruncatedMpls);
        // MPLS does not say what it carries: IP is recognised by its version nibble, anything else (pseudowires) is not IP.
        return IsIp(f[off]) ? IpByVersion(f, off, end, ref p, depth) : NonIp(ref p, NonIpKind.Other);
    }

    private DecodeResult Pppoe(ReadOnlySpan<byte> f, int off, int end, ref DecodedPacket p, int depth)
    {
        sawPppoe = true;
        // version/type, code, session id, length, then the 2-byte PPP protocol (RFC 2516).
        if (end - off < 8)
            return Bad(ref p, MalformedReason.TruncatedPppoe);
        return PppPayload(f, off + 8, end, U16(f, off + 6), ref p, depth);
    }

    private DecodeResult PppPayload(ReadOnlySpan<byte> f, int off, int end, int protocol, ref DecodedPacket p, int depth) =>
        protocol switch
        {
            PppIpv4 => Ipv4(f, off, end, ref p, depth),
            PppIpv6 => Ipv6(f, off, end, ref p, depth),
            _ => NonIp(ref p, NonIpKind.Other), // LCP, IPCP, CHAP...
        };

    /// <summary>LINKTYPE_PPP and LINKTYPE_PPP_HDLC, which in practice also carry Cisco HDLC frames.</summary>
    private DecodeResult PppLink(ReadOnlySpan<byte> f, ref DecodedPacket p)
    {
        if (f.Length < 1)
            return Bad(ref p, MalformedReason.TruncatedLinkHeader);
        if (f[0] is 0x0F or 0x8F)
            return CiscoHdlc(f, ref p);
        int off = 0;
        if (!TryReadPppHeader(f, ref off, f.Length, out int protocol))
            return Bad(ref p, MalformedReason.TruncatedLinkHeader);
        return PppPayload(f, off, f.Length, protocol, ref p, 0);
    }

    /// <summary>
    /// Reads a PPP header: the address and control bytes FF 03 unless compressed away (RFC 1661 ACFC), then the
    /// protocol, one byte when compressed (odd first byte, PFC), else two.
    /// </summary>
    private static bool TryReadPppHeader(ReadOnlySpan<byte> f, ref int off, int end, out int protocol)
    {
        if (end - off >= 2 && f[off] == 0xFF && f[off + 1] == 0x03)
            off += 2;
        protocol = 0;
        if (off >= end)
            return false;
        if ((f[off] & 1) != 0)
        {
            protocol = f[off];
            off++;
            return true;
        }
        if (end - off < 2)
            return false;
        protocol = U16(f, off);
        off += 2;
        return true;
    }

    private DecodeResult CiscoHdlc(ReadOnlySpan<byte> f, ref DecodedPacket p)
    {
        // address (0x0F unicast, 0x8F multicast), control, then an ethertype.
        if (f.Length < 4)
            return Bad(ref p, MalformedReason.TruncatedLinkHeader);
        int type = U16(f, 2);
        return type switch
        {
            EtherTypeSlarp => NonIp(ref p, NonIpKind.Slarp),
            < MinEtherType => NonIp(ref p, NonIpKind.Other), // CDP (0x2000) and other Cisco protocols, not 802.3 lengths
            _ => EtherType(f, 4, f.Length, type, ref p, 0),
        };
    }

    private DecodeResult LinuxSll(ReadOnlySpan<byte> f, ref DecodedPacket p)
    {
        // packet type, ARPHRD type, address length, 8-byte address, protocol.
        if (f.Length < 16)
            return Bad(ref p, MalformedReason.TruncatedLinkHeader);
        return EtherType(f, 16, f.Length, U16(f, 14), ref p, 0);
    }

    private DecodeResult LinuxSll2(ReadOnlySpan<byte> f, ref DecodedPacket p)
    {
        // protocol, reserved, interface index, ARPHRD type, packet type, address length, 8-byte address.
        if (f.Length < 20)
            return Bad(ref p, MalformedReason.TruncatedLinkHeader);
        return EtherType(f, 20, f.Length, U16(f, 0), ref p, 0);
    }

    /// <summary>LINKTYPE_NULL (host byte order, either accepted) and LINKTYPE_LOOP (network order).</summary>
    private DecodeResult AddressFamily(ReadOnlySpan<byte> f, bool hostOrder, ref DecodedPacket p)
    {
        if (f.Length < 4)
            return Bad(ref p, MalformedReason.TruncatedLinkHeader);
        uint family = BinaryPrimitives.ReadUInt32BigEndian(f);
        // Address families are small numbers, so a big value was written by a little-endian host.
        if (hostOrder && family > 0xFFFF)
            family = BinaryPrimitives.ReverseEndianness(family);
        return family switch
        {
            2 => Ipv4(f, 4, f.Length, ref p, 0),
            10 or 24 or 28 or 30 => Ipv6(f, 4, f.Length, ref p, 0), // AF_INET6 on Linux, OpenBSD/NetBSD, FreeBSD, macOS
            _ => NonIp(ref p, NonIpKind.Other),
        };
    }

    private DecodeResult RawIp(ReadOnlySpan<byte> f, ref DecodedPacket p)
    {
        if (f.Length < 1)
            return Bad(ref p, MalformedReason.TruncatedLinkHeader);
        return IsIp(f[0]) ? IpByVersion(f, 0, f.Length, ref p, 0) : Bad(ref p, MalformedReason.BadIpVersion);
    }

    // ---- IP ----

    private DecodeResult Ipv4(ReadOnlySpan<byte> f, int off, int end, ref DecodedPacket p, int depth)
    {
        int available = end - off;
        if (available < 20)
            return Bad(ref p, MalformedReason.TruncatedIpv4Header);
        int versionIhl = f[off];
        if (versionIhl >> 4 != 4)
            return Bad(ref p, MalformedReason.BadIpv4Version);
        int headerLength = (versionIhl & 0x0F) * 4;
        if (headerLength < 20)
            return Bad(ref p, MalformedReason.BadIpv4HeaderLength);
        if (headerLength > available)
            return Bad(ref p, MalformedReason.TruncatedIpv4Header);
        int totalLength = U16(f, off + 2);
        if (totalLength == 0)
            totalLength = available; // segmentation offload: the stack left the length to the NIC
        else if (totalLength < headerLength)
            return Bad(ref p, MalformedReason.BadIpv4TotalLength);

        p.IpVersion = 4;
        p.Src = IpAddr.FromV4(f.Slice(off + 12, 4));
        p.Dst = IpAddr.FromV4(f.Slice(off + 16, 4));
        p.Protocol = f[off + 9];
        p.L3Offset = off;
        p.IpLength = totalLength;

        int ipEnd = off + totalLength;
        int l4 = off + headerLength;
        int fragment = U16(f, off + 6);
        if ((fragment & 0x3FFF) != 0) // MF or a fragment offset
        {
            p.IsFragment = true;
            if ((fragment & 0x1FFF) != 0)
                return LaterFragment(ref p, l4, ipEnd);
        }
        return Transport(f, l4, ipEnd, Math.Min(end, ipEnd), ref p, depth);
    }

    private DecodeResult Ipv6(ReadOnlySpan<byte> f, int off, int end, ref DecodedPacket p, int depth)
    {
        int available = end - off;
        if (available < 40)
            return Bad(ref p, MalformedReason.TruncatedIpv6Header);
        if (f[off] >> 4 != 6)
            return Bad(ref p, MalformedReason.BadIpv6Version);
        int payloadLength = U16(f, off + 4);
        // 0 is a jumbogram or segmentation offload: the captured bytes are all we know.
        int ipLength = payloadLength == 0 ? available : 40 + payloadLength;

        p.IpVersion = 6;
        p.Src = IpAddr.FromV6(f.Slice(off + 8, 16));
        p.Dst = IpAddr.FromV6(f.Slice(off + 24, 16));
        p.L3Offset = off;
        p.IpLength = ipLength;

        int ipEnd = off + ipLength;
        int dataEnd = Math.Min(end, ipEnd);
        int next = f[off + 6];
        int cur = off + 40;
        while (true)
        {
            int length;
            switch (next)
            {
                case 0:   // hop-by-hop options
                case 43:  // routing
                case 60:  // destination options
                case 135: // mobility
                    if (dataEnd - cur < 2)
                        return Bad(ref p, MalformedReason.BadIpv6ExtensionHeader);
                    length = (f[cur + 1] + 1) * 8;
                    break;
                case IpProtocol.Ah:
                    if (dataEnd - cur < 2)
                        return Bad(ref p, MalformedReason.BadIpv6ExtensionHeader);
                    length = (f[cur + 1] + 2) * 4;
                    break;
                case 44: // fragment
                    if (dataEnd - cur < 8)
                        return Bad(ref p, MalformedReason.BadIpv6ExtensionHeader);
                    int fragment = U16(f, cur + 2);
                    next = f[cur];
                    cur += 8;
                    // offset (13 bits), reserved, M. An atomic fragment (offset 0, no M) is a whole packet.
                    if ((fragment & 0xFFF9) != 0)
                    {
                        p.IsFragment = true;
                        if ((fragment & 0xFFF8) != 0)
                        {
                            p.Protocol = (byte)next;
                            return LaterFragment(ref p, cur, ipEnd);
                        }
                    }
                    continue;
                default:
                    p.Protocol = (byte)next;
                    return Transport(f, cur, ipEnd, dataEnd, ref p, depth);
            }
            if (dataEnd - cur < length)
                return Bad(ref p, MalformedReason.BadIpv6ExtensionHeader);
            next = f[cur];
            cur += length;
        }
    }

    /// <summary>Whether a first byte holds IP version 4 or 6, for payloads that carry IP without saying so.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsIp(byte first) => first >> 4 is 4 or 6;

    /// <summary>The IP packet at <paramref name="off"/>, whose first byte passed <see cref="IsIp"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private DecodeResult IpByVersion(ReadOnlySpan<byte> f, int off, int end, ref DecodedPacket p, int depth) =>
        f[off] >> 4 == 4 ? Ipv4(f, off, end, ref p, depth) : Ipv6(f, off, end, ref p, depth);

    private static DecodeResult LaterFragment(ref DecodedPacket p, int dataOffset, int ipEnd)
    {
        // The bytes after the IP header are the middle of a datagram, never a transport header.
        p.IsLaterFragment = true;
        p.L4Offset = -1;
        p.PayloadOffset = dataOffset;
        p.PayloadLength = ipEnd - dataOffset;
        return DecodeResult.Ip;
    }

    // ---- Transport ----

    /// <summary>
    /// Parses the L4 header at <paramref name="l4"/>. <paramref name="ipEnd"/> is where the IP packet ends as
    /// declared (for payload lengths), <paramref name="dataEnd"/> where its captured bytes end (for reading).
    /// </summary>
    private DecodeResult Transport(ReadOnlySpan<byte> f, int l4, int ipEnd, int dataEnd, ref DecodedPacket p, int depth)
    {
        int available = dataEnd - l4;
        switch (p.Protocol)
        {
            case IpProtocol.Tcp:
            {
                if (available < 20)
                    return Bad(ref p, MalformedReason.TruncatedTcpHeader);
                int headerLength = (f[l4 + 12] >> 4) * 4;
                if (headerLength < 20 || l4 + headerLength > ipEnd)
                    return Bad(ref p, MalformedReason.BadTcpHeaderLength);
                p.SrcPort = (ushort)U16(f, l4);
                p.DstPort = (ushort)U16(f, l4 + 2);
                p.TcpSeq = BinaryPrimitives.ReadUInt32BigEndian(f.Slice(l4 + 4));
                p.TcpFlags = f[l4 + 13];
                p.TcpWindow = (ushort)U16(f, l4 + 14);
                return L4(ref p, l4, l4 + headerLength, ipEnd);
            }
            case IpProtocol.Udp:
                return Udp(f, l4, ipEnd, dataEnd, ref p, depth);
            case IpProtocol.Icmp:
            case IpProtocol.Icmpv6:
                // type, code, checksum and the 4-byte rest of header every ICMP message has.
                if (available < 8)
                    return Bad(ref p, MalformedReason.TruncatedIcmpHeader);
                return L4(ref p, l4, l4 + 8, ipEnd);
            case IpProtocol.IpInIp when decapsulateTunnels:
                if (!EnterTunnel(ref p, TunnelKind.IpInIp, depth))
                    return DecodeResult.Malformed;
                return Ipv4(f, l4, dataEnd, ref p, depth + 1);
            case IpProtocol.Ipv6 when decapsulateTunnels:
                if (!EnterTunnel(ref p, TunnelKind.Ipv6InIp, depth))
                    return DecodeResult.Malformed;
                return Ipv6(f, l4, dataEnd, ref p, depth + 1);
            case IpProtocol.Gre when decapsulateTunnels:
                if (TryGre(f, l4, dataEnd, ref p, depth, out var greResult))
                    return greResult;
                goto default;
            default:
                // No L4 parse: the payload is the whole IP payload (ESP, SCTP, undecoded GRE...).
                p.L4Offset = -1;
                p.PayloadOffset = l4;
                p.PayloadLength = ipEnd - l4;
                return DecodeResult.Ip;
        }
    }

    private DecodeResult Udp(ReadOnlySpan<byte> f, int l4, int ipEnd, int dataEnd, ref DecodedPacket p, int depth)
    {
        if (dataEnd - l4 < 8)
            return Bad(ref p, MalformedReason.TruncatedUdpHeader);
        int udpLength = U16(f, l4 + 4);
        if (udpLength < 8)
            return Bad(ref p, MalformedReason.BadUdpLength);
        p.SrcPort = (ushort)U16(f, l4);
        p.DstPort = (ushort)U16(f, l4 + 2);
        // The smaller length wins: a UDP length above the IP one is a first fragment (only this part is here),
        // one below it leaves trailing bytes that are not part of the datagram.
        int udpEnd = Math.Min(ipEnd, l4 + udpLength);
        L4(ref p, l4, l4 + 8, udpEnd);
        if (decapsulateTunnels && TryUdpTunnel(f, l4 + 8, Math.Min(dataEnd, udpEnd), ref p, depth, out var result))
            return result;
        return DecodeResult.Ip;
    }

    private static DecodeResult L4(ref DecodedPacket p, int l4, int payloadOffset, int end)
    {
        p.L4Offset = l4;
        p.PayloadOffset = payloadOffset;
        p.PayloadLength = end - payloadOffset;
        return DecodeResult.Ip;
    }

    // ---- Tunnels ----
    // A Try* method returns false when the payload is not that tunnel (or carries nothing this decoder can read):
    // the outer packet is then reported as is. Once recognised, a short header is TruncatedTunnelHeader.

    private bool TryUdpTunnel(ReadOnlySpan<byte> f, int off, int end, ref DecodedPacket p, int depth, out DecodeResult result)
    {
        int src = p.SrcPort, dst = p.DstPort;
        if (src == GtpUPort || dst == GtpUPort)
            return TryGtpU(f, off, end, ref p, depth, out result);
        if (dst == VxlanPort) // the source port is a flow hash
            return TryVxlan(f, off, end, ref p, depth, out result);
        if (src == CapwapDataPort || dst == CapwapDataPort)
            return TryCapwap(f, off, end, ref p, depth, out result);
        if (src == TzspPort || dst == TzspPort)
            return TryTzsp(f, off, end, ref p, depth, out result);
        if (decapsulateTeredo && (src == TeredoPort || dst == TeredoPort))
            return TryTeredo(f, off, end, ref p, depth, out result);
        result = DecodeResult.Ip;
        return false;
    }

    private bool TryGtpU(ReadOnlySpan<byte> f, int off, int end, ref DecodedPacket p, int depth, out DecodeResult result)
    {
        result = DecodeResult.Ip;
        // Version 1, protocol type GTP (not GTP'), message G-PDU: other messages (echo, end marker) carry no packet.
        if (end - off < 2 || f[off] >> 4 != 0x3 || f[off + 1] != 0xFF)
            return false;
        if (end - off < 8)
            return TruncatedTunnel(ref p, TunnelKind.GtpU, out result);
        int flags = f[off];
        int gtpEnd = Math.Min(end, off + 8 + U16(f, off + 2));
        int cur = off + 8;
        if ((flags & 0x07) != 0) // E, S or PN: sequence number, N-PDU number and next extension type are present
        {
            if (gtpEnd - cur < 4)
                return TruncatedTunnel(ref p, TunnelKind.GtpU, out result);
            int next = (flags & 0x04) != 0 ? f[cur + 3] : 0;
            cur += 4;
            while (next != 0)
            {
                // Each extension: length in 4-byte units, content, next extension type in its last byte.
                int length = cur < gtpEnd ? f[cur] * 4 : 0;
                if (length == 0 || gtpEnd - cur < length)
                    return TruncatedTunnel(ref p, TunnelKind.GtpU, out result);
                next = f[cur + length - 1];
                cur += length;
            }
        }
        if (cur >= gtpEnd || !IsIp(f[cur])) // not IP: PPP or Ethernet PDU sessions
            return false;
        if (!EnterTunnel(ref p, TunnelKind.GtpU, depth))
            return TooDeep(out result);
        result = IpByVersion(f, cur, gtpEnd, ref p, depth + 1);
        return true;
    }

    private bool TryVxlan(ReadOnlySpan<byte> f, int off, int end, ref DecodedPacket p, int depth, out DecodeResult result)
    {
        result = DecodeResult.Ip;
        // flags (I: a valid VNI follows), reserved, 24-bit VNI, reserved.
        if (end - off < 8 || (f[off] & 0x08) == 0)
            return false;
        if (!EnterTunnel(ref p, TunnelKind.Vxlan, depth))
            return TooDeep(out result);
        result = Ethernet(f, off + 8, end, ref p, depth + 1);
        return true;
    }

    private bool TryCapwap(ReadOnlySpan<byte> f, int off, int end, ref DecodedPacket p, int depth, out DecodeResult result)
    {
        result = DecodeResult.Ip;
        // Preamble: version 0, type 0 (type 1 is DTLS: encrypted, nothing to see).
        if (end - off < 4 || f[off] != 0)
            return false;
        uint word = BinaryPrimitives.ReadUInt32BigEndian(f.Slice(off));
        int headerLength = (int)(word >> 19 & 0x1F) * 4; // HLEN, in 4-byte words, includes the preamble
        int wirelessBinding = (int)(word >> 9 & 0x1F);
        bool native = (word & 0x100) != 0;   // T: the payload is in the binding's native format (802.11)
        bool fragment = (word & 0x80) != 0;  // F
        bool keepAlive = (word & 0x08) != 0; // K: message elements, no frame
        if (headerLength < 8 || keepAlive || (native && wirelessBinding != 1))
            return false;
        if (end - off < headerLength)
            return TruncatedTunnel(ref p, TunnelKind.Capwap, out result);
        if (fragment && U16(f, off + 6) >> 3 != 0) // a later CAPWAP fragment has no inner header
            return false;
        if (!EnterTunnel(ref p, TunnelKind.Capwap, depth))
            return TooDeep(out result);
        int inner = off + headerLength;
        result = native ? Ieee80211(f, inner, end, ref p, depth + 1) : Ethernet(f, inner, end, ref p, depth + 1);
        return true;
    }

    private bool TryTzsp(ReadOnlySpan<byte> f, int off, int end, ref DecodedPacket p, int depth, out DecodeResult result)
    {
        result = DecodeResult.Ip;
        // version 1, type 0 (received) or 1 (for transmit): the only ones carrying a frame.
        if (end - off < 4 || f[off] != 1 || f[off + 1] > 1)
            return false;
        int encapsulation = U16(f, off + 2);
        if (encapsulation is not (1 or 18)) // Ethernet, IEEE 802.11
            return false;
        int cur = off + 4;
        while (true)
        {
            if (cur >= end)
                return TruncatedTunnel(ref p, TunnelKind.Tzsp, out result);
            int tag = f[cur];
            if (tag == 1) // end
            {
                cur++;
                break;
            }
            if (tag == 0) // padding
            {
                cur++;
                continue;
            }
            if (end - cur < 2)
                return TruncatedTunnel(ref p, TunnelKind.Tzsp, out result);
            cur += 2 + f[cur + 1];
        }
        if (!EnterTunnel(ref p, TunnelKind.Tzsp, depth))
            return TooDeep(out result);
        result = encapsulation == 1 ? Ethernet(f, cur, end, ref p, depth + 1) : Ieee80211(f, cur, end, ref p, depth + 1);
        return true;
    }

    private bool TryTeredo(ReadOnlySpan<byte> f, int off, int end, ref DecodedPacket p, int depth, out DecodeResult result)
    {
        result = DecodeResult.Ip;
        int cur = off;
        // Authentication indicator: 0x0001, client id length, auth value length, id, value, 8-byte nonce, confirmation.
        if (end - cur >= 4 && f[cur] == 0 && f[cur + 1] == 1)
            cur += 4 + f[cur + 2] + f[cur + 3] + 9;
        // Origin indication: 0x0000, obfuscated port and address.
        if (end - cur >= 8 && f[cur] == 0 && f[cur + 1] == 0)
            cur += 8;
        // Teredo has no magic number: only a whole IPv6 header makes it Teredo.
        if (end - cur < 40 || f[cur] >> 4 != 6)
            return false;
        if (!EnterTunnel(ref p, TunnelKind.Teredo, depth))
            return TooDeep(out result);
        result = Ipv6(f, cur, end, ref p, depth + 1);
        return true;
    }

    private bool TryGre(ReadOnlySpan<byte> f, int off, int end, ref DecodedPacket p, int depth, out DecodeResult result)
    {
        result = DecodeResult.Ip;
        if (end - off < 4)
            return TruncatedTunnel(ref p, TunnelKind.Gre, out result);
        int flags = U16(f, off);
        int protocol = U16(f, off + 2);
        int version = flags & 0x07;
        int cur = off + 4;

        if (version == 0)
        {
            // RFC 1701 source routing is obsolete; other payloads (ERSPAN, WCCP...) are not decoded.
            if ((flags & 0x4000) != 0
                || protocol is not (EtherTypeIpv4 or EtherTypeIpv6 or EtherTypeTeb or EtherTypeMplsUnicast or EtherTypeMplsMulticast))
                return false;
            if ((flags & 0x8000) != 0)
                cur += 4; // checksum and reserved
            if ((flags & 0x2000) != 0)
                cur += 4; // key
            if ((flags & 0x1000) != 0)
                cur += 4; // sequence number
            if (cur > end)
                return TruncatedTunnel(ref p, TunnelKind.Gre, out result);
            if (!EnterTunnel(ref p, TunnelKind.Gre, depth))
                return TooDeep(out result);
            result = protocol switch
            {
                EtherTypeIpv4 => Ipv4(f, cur, end, ref p, depth + 1),
                EtherTypeIpv6 => Ipv6(f, cur, end, ref p, depth + 1),
                EtherTypeTeb => Ethernet(f, cur, end, ref p, depth + 1),
                _ => Mpls(f, cur, end, ref p, depth + 1),
            };
            return true;
        }

        // Enhanced GRE (PPTP, RFC 2637): key present (payload length, call id), optional sequence and acknowledgement.
        if (version != 1 || protocol != EtherTypePpp || (flags & 0x2000) == 0)
            return false;
        cur += 4;
        if ((flags & 0x1000) != 0)
            cur += 4;
        if ((flags & 0x0080) != 0)
            cur += 4;
        if (cur > end)
            return TruncatedTunnel(ref p, TunnelKind.Gre, out result);
        if (U16(f, off + 4) == 0) // acknowledgement only
            return false;
        if (!TryReadPppHeader(f, ref cur, end, out int pppProtocol))
            return TruncatedTunnel(ref p, TunnelKind.Gre, out result);
        // Control traffic and MPPE-encrypted data stay visible as the GRE flow.
        if (pppProtocol is not (PppIpv4 or PppIpv6))
            return false;
        if (!EnterTunnel(ref p, TunnelKind.Gre, depth))
            return TooDeep(out result);
        result = PppPayload(f, cur, end, pppProtocol, ref p, depth + 1);
        return true;
    }

    /// <summary>An 802.11 data frame (CAPWAP native, TZSP), its LLC/SNAP header and what follows.</summary>
    private DecodeResult Ieee80211(ReadOnlySpan<byte> f, int off, int end, ref DecodedPacket p, int depth)
    {
        if (end - off < 24)
            return Bad(ref p, MalformedReason.TruncatedTunnelHeader);
        int control = f[off];
        int controlFlags = f[off + 1];
        // Management, control, null-data and protected frames carry nothing readable.
        if ((control & 0x0C) != 0x08 || (control & 0x40) != 0 || (controlFlags & 0x40) != 0)
            return NonIp(ref p, NonIpKind.Other);
        int header = 24;
        if ((controlFlags & 0x03) == 0x03)
            header += 6; // to and from the distribution system: a fourth address
        int qosControl = -1;
        if ((control & 0x80) != 0) // QoS data
        {
            qosControl = off + header;
            header += 2;
            if ((controlFlags & 0x80) != 0)
                header += 4; // HT control
        }
        if (end - off < header + 8)
            return Bad(ref p, MalformedReason.TruncatedTunnelHeader);
        if (qosControl >= 0 && (f[qosControl] & 0x80) != 0)
            return NonIp(ref p, NonIpKind.Other); // an A-MSDU aggregate, not one frame
        int llc = off + header;
        if (f[llc] != 0xAA || f[llc + 1] != 0xAA || f[llc + 2] != 0x03)
            return NonIp(ref p, NonIpKind.Llc);
        return EtherType(f, llc + 8, end, U16(f, llc + 6), ref p, depth);
    }

    /// <summary>
    /// Commits to stripping a tunnel: records the outermost kind and forgets the outer L3/L4 fields, which the inner
    /// packet replaces. False when the tunnel would be one too many.
    /// </summary>
    private static bool EnterTunnel(ref DecodedPacket p, TunnelKind kind, int depth)
    {
        if (p.Tunnel == TunnelKind.None)
            p.Tunnel = kind;
        if (depth >= MaxTunnelDepth)
        {
            p.Malformed = MalformedReason.TunnelTooDeep;
            return false;
        }
        p.IpVersion = 0;
        p.Src = default;
        p.Dst = default;
        p.Protocol = 0;
        p.SrcPort = 0;
        p.DstPort = 0;
        p.L3Offset = -1;
        p.L4Offset = -1;
        p.PayloadOffset = 0;
        p.PayloadLength = 0;
        p.IpLength = 0;
        return true;
    }

    private static bool TruncatedTunnel(ref DecodedPacket p, TunnelKind kind, out DecodeResult result)
    {
        if (p.Tunnel == TunnelKind.None)
            p.Tunnel = kind;
        result = Bad(ref p, MalformedReason.TruncatedTunnelHeader);
        return true;
    }

    private static bool TooDeep(out DecodeResult result)
    {
        result = DecodeResult.Malformed;
        return true;
    }

    // ---- Helpers ----

    private static DecodeResult Bad(ref DecodedPacket p, MalformedReason reason)
    {
        p.Malformed = reason;
        return DecodeResult.Malformed;
    }

    private static DecodeResult NonIp(ref DecodedPacket p, NonIpKind kind)
    {
        p.NonIp = kind;
        return DecodeResult.NonIp;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int U16(ReadOnlySpan<byte> f, int off) => BinaryPrimitives.ReadUInt16BigEndian(f.Slice(off));
}
