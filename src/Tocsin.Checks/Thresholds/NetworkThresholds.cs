namespace Tocsin.Checks.Thresholds;

public sealed class NetworkBytes() : TrafficThresholdCheck("network_bytes", CheckEntity.Network,
    "Network Traffic Volume", "Bytes to, from and within each local network per period", "bytes", c => c.Bytes);

public sealed class NetworkIngressBytes() : TrafficThresholdCheck("network_ingress_bytes", CheckEntity.Network,
    "Network Ingress Volume", "Bytes entering each local network from outside per period", "ingress bytes", c => c.IngressBytes);

public sealed class NetworkEgressBytes() : TrafficThresholdCheck("network_egress_bytes", CheckEntity.Network,
    "Network Egress Volume", "Bytes leaving each local network per period", "egress bytes", c => c.EgressBytes);

public sealed class NetworkInnerBytes() : TrafficThresholdCheck("network_inner_bytes", CheckEntity.Network,
    "Network Inner Volume", "Bytes between hosts of the same local network per period", "inner bytes", c => c.InnerBytes);

public sealed class NetworkPackets() : TrafficThresholdCheck("network_packets", CheckEntity.Network,
    "Network Packets", "Packets to, from and within each local network per period", "packets", c => c.Packets);

public sealed class NetworkFlows() : TrafficThresholdCheck("network_flows", CheckEntity.Network,
    "Network New Flows", "Flows begun by or towards each local network per period", "flows", c => c.Flows);
