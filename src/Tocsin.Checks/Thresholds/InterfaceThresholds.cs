using Tocsin.Traffic;

namespace Tocsin.Checks.Thresholds;

public sealed class InterfaceBytes : TrafficThresholdCheck
{
    public override string Key => "interface_bytes";
    public override string Title => "Interface Traffic Volume";
    public override string Description => "Bytes seen on the interface per period";
    public override CheckEntity Entity => CheckEntity.Interface;
    public override string Metric => "bytes";
    public override long Read(TrafficCounters counters) => counters.Bytes;
}

public sealed class InterfacePackets : TrafficThresholdCheck
{
    public override string Key => "interface_packets";
    public override string Title => "Interface Packets";
    public override string Description => "Packets seen on the interface per period";
    public override CheckEntity Entity => CheckEntity.Interface;
    public override string Metric => "packets";
    public override long Read(TrafficCounters counters) => counters.Packets;
}

public sealed class InterfaceFlows : TrafficThresholdCheck
{
    public override string Key => "interface_flows";
    public override string Title => "Interface New Flows";
    public override string Description => "Flows begun on the interface per period";
    public override CheckEntity Entity => CheckEntity.Interface;
    public override string Metric => "flows";
    public override long Read(TrafficCounters counters) => counters.Flows;
}
