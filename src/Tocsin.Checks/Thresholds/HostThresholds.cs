namespace Tocsin.Checks.Thresholds;

public sealed class HostBytes() : HostThresholdCheck("host_bytes",
    "Host Traffic Volume", "Bytes sent and received by each host per period", "bytes", h => h.BytesSent + h.BytesReceived);

public sealed class HostPackets() : HostThresholdCheck("host_packets",
    "Host Packets", "Packets sent and received by each host per period", "packets", h => h.PacketsSent + h.PacketsReceived);

public sealed class HostFlows() : HostThresholdCheck("host_flows",
    "Host New Flows", "Flows begun by or towards each host per period", "flows", h => h.FlowsAsClient + h.FlowsAsServer);
