using Tocsin.Decode;

namespace Tocsin.Traffic;

/// <summary>A host seen on the network: one IP address within one VLAN.</summary>
public readonly record struct HostKey(IpAddr Ip, ushort VlanId)
{
    /// <summary>ntopng's host entity value, "ip@vlan" (the VLAN is always present).</summary>
    public override string ToString() => $"{Ip}@{VlanId}";
}

/// <summary>A host's packets of interest: TCP SYN, SYN-ACK, RST and FIN, and ICMP, each way.</summary>
public struct HostPacketCounts
{
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

    public void Add(in HostPacketCounts other)
    {
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

/// <summary>Per-host counters that start again at every host-check tick (ntopng's "counters reset every run").</summary>
public struct HostInterval
{
    public long NewFlowsAsClient;
    public long NewFlowsAsServer;

    public HostPacketCounts Packets;

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

    public void Clear()
    {
        NewFlowsAsClient = NewFlowsAsServer = 0;
        Packets = default;
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
    internal Host(HostKey key, bool isLocal, int networkIndex, long nowNs)
    {
        Key = key;
        IsLocal = isLocal;
        NetworkIndex = networkIndex;
        FirstSeenNs = LastSeenNs = nowNs;
    }

    private string? entityValue;

    public HostKey Key { get; }

    /// <summary>"ip@vlan", cached: alerts and reports ask for it often.</summary>
    public string EntityValue => entityValue ??= Key.ToString();

    public IpAddr Ip => Key.Ip;
    public ushort VlanId => Key.VlanId;

    /// <summary>Inside one of the configured local networks.</summary>
    public bool IsLocal { get; }

    /// <summary>Index into the configured local networks, -1 for a remote host.</summary>
    public int NetworkIndex { get; }

    public long FirstSeenNs { get; }
    public long LastSeenNs { get; internal set; }

    public long BytesSent;
    public long BytesReceived;
    public long PacketsSent;
    public long PacketsReceived;

    public long FlowsAsClient;
    public long FlowsAsServer;
    public int ActiveFlowsAsClient;
    public int ActiveFlowsAsServer;

    private HostPacketCounts earlierIntervals;

    /// <summary>Counters of the current host-check interval.</summary>
    public HostInterval Interval;

    /// <summary>SYN, SYN-ACK, RST, FIN and ICMP packets since the host was first seen.</summary>
    public HostPacketCounts Packets
    {
        get
        {
            var total = earlierIntervals;
            total.Add(Interval.Packets);
            return total;
        }
    }

    /// <summary>Closes the current interval (its counts join the totals) and starts the next one.</summary>
    public void StartInterval()
    {
        earlierIntervals.Add(Interval.Packets);
        Interval.Clear();
    }

    /// <summary>Per-host state of the checks layer (its engaged alerts, threshold history), kept here to avoid a lookup per host per tick.</summary>
    public object? CheckState { get; set; }

    public int ActiveFlows => ActiveFlowsAsClient + ActiveFlowsAsServer;

    public override string ToString() => EntityValue;
}
