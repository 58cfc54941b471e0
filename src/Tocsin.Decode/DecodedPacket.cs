namespace Tocsin.Decode;

/// <summary>What <see cref="PacketDecoder.Decode"/> found in a frame.</summary>
public enum DecodeResult : byte
{
    /// <summary>An IP packet (after any tunnels): the addresses and, unless a non-first fragment, the L4 header are set.</summary>
    Ip,

    /// <summary>A well-formed frame that carries no IP (ARP, LLDP, STP, IPX, NetBEUI...): counted by <see cref="NonIpKind"/>.</summary>
    NonIp,

    /// <summary>The frame is cut short or inconsistent: see <see cref="DecodedPacket.Malformed"/>.</summary>
    Malformed,
}

public enum NonIpKind : byte
{
    None,
    Arp,
    Lldp,
    Llc,        // 802.3 length frames (STP, NetBEUI, IPX over LLC...)
    Slarp,      // Cisco HDLC keepalives
    Other,
}

/// <summary>Reasons a frame is counted as malformed. Never fatal: the packet is skipped and counted.</summary>
public enum MalformedReason : byte
{
    None,
    UnsupportedLinkType,
    TruncatedLinkHeader,
    TruncatedVlan,
    TruncatedMpls,
    TruncatedPppoe,
    TruncatedIpv4Header,
    BadIpv4Version,
    BadIpv4HeaderLength,
    BadIpv4TotalLength,
    TruncatedIpv6Header,
    BadIpv6Version,
    BadIpv6ExtensionHeader,
    TruncatedTcpHeader,
    BadTcpHeaderLength,
    TruncatedUdpHeader,
    BadUdpLength,
    TruncatedIcmpHeader,
    TruncatedTunnelHeader,
    TunnelTooDeep,

    /// <summary>The link promises IP (raw IP link types) but the version nibble is neither 4 nor 6.</summary>
    BadIpVersion,
}

/// <summary>Tunnels the decoder strips to reach the inner packet (the outermost one is reported).</summary>
public enum TunnelKind : byte
{
    None,
    IpInIp,      // IPv4 in IPv4 (proto 4) or IPv4 in IPv6 (4in6)
    Ipv6InIp,    // 6in4 (proto 41) or 6in6
    Gre,
    GtpU,
    Capwap,
    Vxlan,
    Teredo,
    Tzsp,
}

/// <summary>
/// The headers of one frame, filled in place by <see cref="PacketDecoder"/> (reuse one instance: no allocation per
/// packet). Offsets are into the frame passed to the decoder.
/// </summary>
public struct DecodedPacket
{
    public MalformedReason Malformed;
    public NonIpKind NonIp;
    public TunnelKind Tunnel;

    /// <summary>
    /// VLAN id of the outer frame's innermost tag (with QinQ, the customer VLAN), 0 when untagged; tags inside a
    /// tunnel belong to the tunnelled network and are ignored.
    /// </summary>
    public ushort VlanId;

    /// <summary>4 or 6: the innermost IP header.</summary>
    public byte IpVersion;
    public IpAddr Src;
    public IpAddr Dst;

    /// <summary>L4 protocol number after IPv6 extension headers and tunnels (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6...).</summary>
    public byte Protocol;

    /// <summary>
    /// True for any IPv4/IPv6 fragment; <see cref="IsLaterFragment"/> when it is not the first one (no L4 header).
    /// Also true when a tunnel carrying the packet was a first fragment (the inner packet is then incomplete).
    /// </summary>
    public bool IsFragment;
    public bool IsLaterFragment;

    public ushort SrcPort;
    public ushort DstPort;

    /// <summary>TCP flags byte (FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10, URG 0x20, ECE 0x40, CWR 0x80).</summary>
    public byte TcpFlags;
    public uint TcpSeq;
    public ushort TcpWindow;

    /// <summary>Offset of the innermost IP header within the frame (what DPI engines want), -1 when none was reached.</summary>
    public int L3Offset;

    /// <summary>Offset of the L4 header, or -1 when there is none (later fragment, unknown protocol).</summary>
    public int L4Offset;

    /// <summary>
    /// Offset of the L4 payload within the frame (for protocols without an L4 parse and later fragments: the IP
    /// payload). May lie beyond the captured bytes of a snapped frame: use <see cref="CapturedPayload"/> to read it.
    /// </summary>
    public int PayloadOffset;

    /// <summary>L4 payload length as declared by the IP/UDP lengths (may exceed the captured bytes when snapped).</summary>
    public int PayloadLength;

    /// <summary>Innermost IP packet length as declared by its header.</summary>
    public int IpLength;

    /// <summary>The frame's length on the wire.</summary>
    public int WireLength;

    public readonly bool IsTcp => Protocol == IpProtocol.Tcp;

    /// <summary>The payload bytes actually present in <paramref name="frame"/> (the frame this packet was decoded from).</summary>
    public readonly ReadOnlySpan<byte> CapturedPayload(ReadOnlySpan<byte> frame)
    {
        if (PayloadOffset >= frame.Length || PayloadLength <= 0)
            return default;
        return frame.Slice(PayloadOffset, Math.Min(PayloadLength, frame.Length - PayloadOffset));
    }
    public readonly bool IsUdp => Protocol == IpProtocol.Udp;
}

public static class IpProtocol
{
    public const byte Icmp = 1;
    public const byte Igmp = 2;
    public const byte IpInIp = 4;
    public const byte Tcp = 6;
    public const byte Udp = 17;
    public const byte Ipv6 = 41;
    public const byte Gre = 47;
    public const byte Esp = 50;
    public const byte Ah = 51;
    public const byte Icmpv6 = 58;
    public const byte Sctp = 132;
}

public static class TcpFlags
{
    public const byte Fin = 0x01;
    public const byte Syn = 0x02;
    public const byte Rst = 0x04;
    public const byte Psh = 0x08;
    public const byte Ack = 0x10;
    public const byte Urg = 0x20;
    public const byte Ece = 0x40;
    public const byte Cwr = 0x80;
}
