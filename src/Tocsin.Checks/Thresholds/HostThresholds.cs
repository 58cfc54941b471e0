namespace Tocsin.Checks.Thresholds;

public sealed class HostBytes() : HostThresholdCheck("host_bytes",
    "Host Traffic Volume", "Bytes sent and received by each host per period", "bytes", h => h.Totals.BytesSent + h.Totals.BytesReceived);

public sealed class HostPackets() : HostThresholdCheck("host_packets",
    "Host Packets", "Packets sent and received by each host per period", "packets", h => h.Totals.PacketsSent + h.Totals.PacketsReceived);

public sealed class HostFlows() : HostThresholdCheck("host_flows",
    "Host New Flows", "Flows begun by or towards each host per period", "flows", h => h.Totals.FlowsAsClient + h.Totals.FlowsAsServer);
