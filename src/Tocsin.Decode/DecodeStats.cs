namespace Tocsin.Decode;

/// <summary>
/// Counters of one <see cref="PacketDecoder"/>: one decoder per reading thread; not thread-safe.
/// Every frame is counted once under its result; tunnels by the outermost one stripped.
/// </summary>
public sealed class DecodeStats
{
    private static readonly int NonIpKindCount = Enum.GetValues<NonIpKind>().Max(k => (int)k) + 1;
    private static readonly int MalformedReasonCount = Enum.GetValues<MalformedReason>().Max(r => (int)r) + 1;
    private static readonly int TunnelKindCount = Enum.GetValues<TunnelKind>().Max(t => (int)t) + 1;

    private readonly long[] nonIp = new long[NonIpKindCount];
    private readonly long[] malformed = new long[MalformedReasonCount];
    private readonly long[] tunnels = new long[TunnelKindCount];

    public long Frames { get; private set; }

    public long IpPackets { get; private set; }

    public long NonIpFrames { get; private set; }

    public long MalformedFrames { get; private set; }

    /// <summary>IP packets that are fragments (first or later).</summary>
    public long Fragments { get; private set; }

    /// <summary>IP packets that are non-first fragments (no transport header).</summary>
    public long LaterFragments { get; private set; }

    /// <summary>Frames whose outer link header carried at least one VLAN tag.</summary>
    public long VlanTagged { get; private set; }

    /// <summary>Frames with an MPLS label stack (outside or inside a tunnel).</summary>
    public long Mpls { get; private set; }

    /// <summary>Frames with a PPPoE session header (outside or inside a tunnel).</summary>
    public long Pppoe { get; private set; }

    public long NonIp(NonIpKind kind) => nonIp[(int)kind];

    public long Malformed(MalformedReason reason) => malformed[(int)reason];

    /// <summary>Frames whose outermost stripped tunnel was <paramref name="kind"/>, whatever the inner result.</summary>
    public long Tunnels(TunnelKind kind) => tunnels[(int)kind];

    /// <summary>The malformed reasons seen so far with their counts, in enum order (for reports).</summary>
    public IEnumerable<KeyValuePair<MalformedReason, long>> MalformedReasons()
    {
        for (int i = 0; i < malformed.Length; i++)
        {
            if (malformed[i] != 0)
                yield return new((MalformedReason)i, malformed[i]);
        }
    }

    internal void Count(DecodeResult result, in DecodedPacket packet, bool vlan, bool mpls, bool pppoe)
    {
        Frames++;
        switch (result)
        {
            case DecodeResult.Ip:
                IpPackets++;
                if (packet.IsFragment)
                    Fragments++;
                if (packet.IsLaterFragment)
                    LaterFragments++;
                break;
            case DecodeResult.NonIp:
                NonIpFrames++;
                nonIp[(int)packet.NonIp]++;
                break;
            default:
                MalformedFrames++;
                malformed[(int)packet.Malformed]++;
                break;
        }
        if (packet.Tunnel != TunnelKind.None)
            tunnels[(int)packet.Tunnel]++;
        if (vlan)
            VlanTagged++;
        if (mpls)
            Mpls++;
        if (pppoe)
            Pppoe++;
    }
}
