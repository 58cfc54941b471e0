using Tocsin.Traffic;
namespace Tocsin.Checks.Thresholds;

public sealed class HostBytes : HostThresholdCheck
{
    public override string Key => "host_bytes";
    public override string Title => "Host Traffic Volume";
    public override string Description => "Bytes sent and received by each host per period";
    public override string Metric => "bytes";
    public override long Read(Host host) => host.BytesSent + host.BytesReceived;
}

public sealed class HostPackets : HostThresholdCheck
{
    public override string Key => "host_packets";
    public override string Title => "Host Packets";
    public override string Description => "Packets sent and received by each host per period";
    public override string Metric => "packets";
    public override long Read(Host host) => host.PacketsSent + host.PacketsReceived;
}

public sealed class HostFlows : HostThresholdCheck
{
    public override string Key => "host_flows";
    public override string Title => "Host New Flows";
    public override string Description => "Flows begun by or towards each host per period";
    public override string Metric => "flows";
    public override long Read(Host host) => host.FlowsAsClient + host.FlowsAsServer;
}
