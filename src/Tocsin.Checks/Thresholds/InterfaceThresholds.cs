namespace Tocsin.Checks.Thresholds;

public sealed class InterfaceBytes() : TrafficThresholdCheck("interface_bytes", CheckEntity.Interface,
    "Interface Traffic Volume", "Bytes seen on the interface per period", "bytes", c => c.Bytes);

public sealed class InterfacePackets() : TrafficThresholdCheck("interface_packets", CheckEntity.Interface,
    "Interface Packets", "Packets seen on the interface per period", "packets", c => c.Packets);

public sealed class InterfaceFlows() : TrafficThresholdCheck("interface_flows", CheckEntity.Interface,
    "Interface New Flows", "Flows begun on the interface per period", "flows", c => c.Flows);
