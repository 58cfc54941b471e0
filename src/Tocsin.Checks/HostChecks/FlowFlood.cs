using Tocsin.Alerts;
using Tocsin.Traffic;

namespace Tocsin.Checks.HostChecks;

/// <summary>Too many new flows within one second (ntopng's flow_flood): as client an attacker, as server a victim.</summary>
public sealed class FlowFlood() : AttackerVictimCheck(256, "new flows per second above which a host is flagged")
{
    public static readonly AlertType Alert =
        AlertType.Host(4, "flow_flood", "Flows Flood", AlertCategory.Security, Scores.Warning);

    public override string Key => "flow_flood";
    public override string Title => "Flows Flood";
    public override string Description => "A host opens or receives more new flows per second than the threshold";
    public override AlertType AlertType => Alert;

    protected override (long AsAttacker, long AsVictim) Measure(Host host) =>
        (host.Interval.NewFlowsAsClientRate.Peak, host.Interval.NewFlowsAsServerRate.Peak);

    protected override string Describe(Host host, HostRole role, long value, long threshold) => role == HostRole.Attacker
        ? $"Flow flood: {host.Ip} opened {value} new flows within one second (threshold {threshold}/s)"
        : $"Flow flood: {host.Ip} received {value} new flows within one second (threshold {threshold}/s)";
}
