using Tocsin.Decode;

namespace Tocsin.Traffic;

/// <summary>A host seen on the network: one IP address within one VLAN.</summary>
public readonly record struct HostKey(IpAddr Ip, ushort VlanId)
{
    /// <summary>ntopng's host entity value, "ip@vlan" (the VLAN is always present).</summary>
    public override string ToString() => $"{Ip}@{VlanId}";
}

/// <summary>A host's additive counters: traffic, flows begun, and TCP SYN, SYN-ACK, RST, FIN and ICMP packets, each way.</summary>
public struct HostCounts
{
    public long BytesSent;
    public long BytesReceived;
    public long PacketsSent;
    public long PacketsReceived;
    public long FlowsAsClient;
    public long FlowsAsServer;
    public long SynSent;
    public long SynReceived;
    public long SynAckSent;
    public long SynAckReceived;
    public long RstSent;
    public long RstReceived;
    public long FinSent;
    public long FinReceived;
    public long IcmpSent;
    public long IcmpReceived;

    public void Add(in HostCounts other)
    {
        BytesSent += other.BytesSent;
        BytesReceived += other.BytesReceived;
        PacketsSent += other.PacketsSent;
        PacketsReceived += other.PacketsReceived;
        FlowsAsClient += other.FlowsAsClient;
        FlowsAsServer += other.FlowsAsServer;
        SynSent += other.SynSent;
        SynReceived += other.SynReceived;
        SynAckSent += other.SynAckSent;
        SynAckReceived += other.SynAckReceived;
        RstSent += other.RstSent;
        RstReceived += other.RstReceived;
        FinSent += other.FinSent;
        FinReceived += other.FinReceived;
        IcmpSent += other.IcmpSent;
        IcmpReceived += other.IcmpReceived;
    }
}

/// <summary>
/// A host's counters over the current host-check interval (ntopng's "counters reset every run"). Every part
/// merges exactly, so the intervals of one host seen by several workers add up to what one worker would count.
/// </summary>
public struct HostInterval
{
    public HostCounts Counts;

    /// <summary>Peak new flows (and SYNs) per second within the interval, for the flood checks.</summary>
    public PeakRate NewFlowsAsClientRate;
    public PeakRate NewFlowsAsServerRate;
    public PeakRate SynSentRate;
    public PeakRate SynReceivedRate;

    /// <summary>Distinct values contacted as a client during the interval.</summary>
    public DistinctCounter Peers;
    public DistinctCounter ServerPorts;
    public DistinctCounter DnsServers;
    public DistinctCounter NtpServers;
    public DistinctCounter SmtpServers;

    public void Add(in HostInterval other)
    {
        Counts.Add(other.Counts);
        NewFlowsAsClientRate.Add(other.NewFlowsAsClientRate);
        NewFlowsAsServerRate.Add(other.NewFlowsAsServerRate);
        SynSentRate.Add(other.SynSentRate);
        SynReceivedRate.Add(other.SynReceivedRate);
        Peers.Add(other.Peers);
        ServerPorts.Add(other.ServerPorts);
        DnsServers.Add(other.DnsServers);
        NtpServers.Add(other.NtpServers);
        SmtpServers.Add(other.SmtpServers);
    }

    public void Clear()
    {
        Counts = default;
        NewFlowsAsClientRate.Clear();
        NewFlowsAsServerRate.Clear();
        SynSentRate.Clear();
        SynReceivedRate.Clear();
        Peers.Clear();
        ServerPorts.Clear();
        DnsServers.Clear();
        NtpServers.Clear();
        SmtpServers.Clear();
    }
}

public sealed class Host
{
    private string? entityValue;
    private HostCounts earlierIntervals;

    internal Host(HostKey key, bool isLocal, int networkIndex, long nowNs)
    {
        Key = key;
        IsLocal = isLocal;
        NetworkIndex = networkIndex;
        FirstSeenNs = LastSeenNs = nowNs;
    }

    public HostKey Key { get; }

    /// <summary>"ip@vlan", cached: alerts and reports ask for it often.</summary>
    public string EntityValue => entityValue ??= Key.ToString();

    public IpAddr Ip => Key.Ip;
    public ushort VlanId => Key.VlanId;

    /// <summary>Inside one of the configured local networks.</summary>
    public bool IsLocal { get; }

    /// <summary>Index into the configured local networks, -1 for a remote host.</summary>
    public int NetworkIndex { get; }

    public long FirstSeenNs { get; internal set; }
    public long LastSeenNs { get; internal set; }

    public int ActiveFlowsAsClient;
    public int ActiveFlowsAsServer;

    public int ActiveFlows => ActiveFlowsAsClient + ActiveFlowsAsServer;

    /// <summary>A worker's host: whether it changed since its last share (<see cref="TakeShare"/>).</summary>
    internal bool Changed;

    // A worker's host: its active flows as its last share counted them, so the next share carries the change.
    private int sharedFlowsAsClient;
    private int sharedFlowsAsServer;

    /// <summary>Counters of the current host-check interval.</summary>
    public HostInterval Interval;

    /// <summary>Every counter since the host was first seen (earlier intervals plus the current one).</summary>
    public HostCounts Totals
    {
        get
        {
            var total = earlierIntervals;
            total.Add(Interval.Counts);
            return total;
        }
    }

    /// <summary>Closes the current interval (its counts join the totals) and starts the next one.</summary>
    public void StartInterval()
    {
        earlierIntervals.Add(Interval.Counts);
        Interval.Clear();
    }

    /// <summary>
    /// A worker's host at a tick: what it adds to the merged table since the last share (its interval when it had
    /// packets since <paramref name="sinceNs"/>, the change in its active flows), after which it starts a new interval.
    /// The share takes the interval's counters whole, so the merge can read them on another thread.
    /// </summary>
    internal HostShare TakeShare(long sinceNs)
    {
        bool active = LastSeenNs >= sinceNs;
        var share = new HostShare(Key, IsLocal, NetworkIndex, FirstSeenNs, LastSeenNs, active, active ? Interval : default,
            ActiveFlowsAsClient - sharedFlowsAsClient, ActiveFlowsAsServer - sharedFlowsAsServer);
        if (active)
        {
            earlierIntervals.Add(Interval.Counts);
            Interval = default;
        }
        sharedFlowsAsClient = ActiveFlowsAsClient;
        sharedFlowsAsServer = ActiveFlowsAsServer;
        return share;
    }

    /// <summary>Per-host state of the checks layer (its engaged alerts, threshold history), kept here to avoid a lookup per host per tick.</summary>
    public object? CheckState { get; set; }

    public override string ToString() => EntityValue;
}

/// <summary>
/// What one worker's host adds to the merged host table at a tick (<see cref="HostTable.ShareChanges"/>): a copy taken
/// on the worker's thread, so the worker goes on while the merge runs.
/// </summary>
public readonly record struct HostShare(HostKey Key, bool IsLocal, int NetworkIndex, long FirstSeenNs, long LastSeenNs,
    bool Active, HostInterval Interval, int ClientFlowsDelta, int ServerFlowsDelta);
