namespace Tocsin.Traffic;

/// <summary>Cumulative traffic counters of an interface or a local network; threshold checks read deltas of them.</summary>
public sealed class TrafficCounters
{
    public long Packets;
    public long Bytes;

    /// <summary>Flows begun.</summary>
    public long Flows;

    /// <summary>Bytes entering (remote → local), leaving (local → remote) and staying inside (local → local) a network.</summary>
    public long IngressBytes;
    public long EgressBytes;
    public long InnerBytes;

    /// <summary>The counters as they are now.</summary>
    public TrafficCounters Copy() => (TrafficCounters)MemberwiseClone();

    public void Add(TrafficCounters other)
    {
        Packets += other.Packets;
        Bytes += other.Bytes;
        Flows += other.Flows;
        IngressBytes += other.IngressBytes;
        EgressBytes += other.EgressBytes;
        InnerBytes += other.InnerBytes;
    }
}
