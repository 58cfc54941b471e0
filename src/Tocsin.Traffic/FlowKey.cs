using System.Runtime.CompilerServices;
using Tocsin.Decode;

namespace Tocsin.Traffic;

/// <summary>
/// Bidirectional flow key: VLAN, L4 protocol and the two (address, port) ends in a canonical order, so that both
/// directions of a conversation map to the same key.
/// </summary>
public readonly struct FlowKey : IEquatable<FlowKey>
{
    public FlowKey(IpAddr a, ushort portA, IpAddr b, ushort portB, byte protocol, ushort vlanId)
    {
        A = a;
        B = b;
        PortA = portA;
        PortB = portB;
        Protocol = protocol;
        VlanId = vlanId;
    }

    /// <summary>The lower end: (A, PortA) ≤ (B, PortB).</summary>
    public IpAddr A { get; }
    public IpAddr B { get; }
    public ushort PortA { get; }
    public ushort PortB { get; }
    public byte Protocol { get; }
    public ushort VlanId { get; }

    /// <summary>Builds the key of a decoded packet; <paramref name="sourceIsA"/> tells which end sent it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FlowKey Of(in DecodedPacket p, out bool sourceIsA)
    {
        int c = p.Src.CompareTo(p.Dst);
        sourceIsA = c < 0 || (c == 0 && p.SrcPort <= p.DstPort);
        return sourceIsA
            ? new FlowKey(p.Src, p.SrcPort, p.Dst, p.DstPort, p.Protocol, p.VlanId)
            : new FlowKey(p.Dst, p.DstPort, p.Src, p.SrcPort, p.Protocol, p.VlanId);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Equals(FlowKey other) =>
        A.Equals(other.A) && B.Equals(other.B) && PortA == other.PortA && PortB == other.PortB
        && Protocol == other.Protocol && VlanId == other.VlanId;

    public override bool Equals(object? obj) => obj is FlowKey other && Equals(other);

    /// <summary>The same for both directions of a conversation, as the key is canonical.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public override int GetHashCode()
    {
        ulong h = A.Hi ^ (A.Lo * 0x9E37_79B9_7F4A_7C15UL);
        h = (h ^ B.Hi) * 0xC2B2_AE3D_27D4_EB4FUL;
        h ^= B.Lo * 0x1656_67B1_9E37_79F9UL;
        h ^= ((ulong)PortA << 32) | ((ulong)PortB << 16) | ((ulong)Protocol << 8) | VlanId;
        h *= 0x9E37_79B9_7F4A_7C15UL;
        return (int)(h ^ (h >> 29));
    }

    public static bool operator ==(FlowKey left, FlowKey right) => left.Equals(right);
    public static bool operator !=(FlowKey left, FlowKey right) => !left.Equals(right);

    public override string ToString() => $"{ProtocolName(Protocol)} {Format(A, PortA)} <-> {Format(B, PortB)}" + (VlanId != 0 ? $" vlan {VlanId}" : "");

    public static string Format(IpAddr ip, ushort port) => ip.IsV4 ? $"{ip}:{port}" : $"[{ip}]:{port}";

    public static string ProtocolName(byte protocol) => protocol switch
    {
        IpProtocol.Tcp => "TCP",
        IpProtocol.Udp => "UDP",
        IpProtocol.Icmp => "ICMP",
        IpProtocol.Icmpv6 => "ICMPV6",
        IpProtocol.Igmp => "IGMP",
        IpProtocol.Gre => "GRE",
        IpProtocol.Esp => "ESP",
        IpProtocol.Sctp => "SCTP",
        _ => protocol.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
