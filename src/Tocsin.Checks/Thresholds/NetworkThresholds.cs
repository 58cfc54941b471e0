using Tocsin.Traffic;

namespace Tocsin.Checks.Thresholds;

public sealed class NetworkBytes : TrafficThresholdCheck
{
    public override string Key => "network_bytes";
    public override string Title => "Network Traffic Volume";
    public override string Description => "Bytes to, from and within each local network per period";
    public override CheckEntity Entity => CheckEntity.Network;
    public override string Metric => "bytes";
    public override long Read(TrafficCounters counters) => counters.Bytes;
}

public sealed class NetworkIngressBytes : TrafficThresholdCheck
{
    public override string Key => "network_ingress_bytes";
    public override string Title => "Network Ingress Volume";
    public override string Description => "Bytes entering each local network from outside per period";
    public override CheckEntity Entity => CheckEntity.Network;
    public override string Metric => "ingress bytes";
    public override long Read(TrafficCounters counters) => counters.IngressBytes;
}

public sealed class NetworkEgressBytes : TrafficThresholdCheck
{
    public override string Key => "network_egress_bytes";
    public override string Title => "Network Egress Volume";
    public override string Description => "Bytes leaving each local network per period";
    public override CheckEntity Entity => CheckEntity.Network;
    public override string Metric => "egress bytes";
    public override long Read(TrafficCounters counters) => counters.EgressBytes;
}

public sealed class NetworkInnerBytes : TrafficThresholdCheck
{
    public override string Key => "network_inner_bytes";
    public override string Title => "Network Inner Volume";
    public override string Description => "Bytes between hosts of the same local network per period";
    public override CheckEntity Entity => CheckEntity.Network;
    public override string Metric => "inner bytes";
    public override long Read(TrafficCounters counters) => counters.InnerBytes;
}

public sealed class NetworkPackets : TrafficThresholdCheck
{
    public override string Key => "network_packets";
    public override string Title => "Network Packets";
    public override string Description => "Packets to, from and within each local network per period";
    public override CheckEntity Entity => CheckEntity.Network;
    public override string Metric => "packets";
    public override long Read(TrafficCounters counters) => counters.Packets;
}

public sealed class NetworkFlows : TrafficThresholdCheck
{
    public override string Key => "network_flows";
    public override string Title => "Network New Flows";
    public override string Description => "Flows begun by or towards each local network per period";
    public override CheckEntity Entity => CheckEntity.Network;
    public override string Metric => "flows";
    public override long Read(TrafficCounters counters) => counters.Flows;
}
