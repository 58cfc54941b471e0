using Tocsin.Alerts;
using Tocsin.Traffic;

namespace Tocsin.Checks.HostChecks;

/// <summary>Too many SYNs within one second (ntopng 6.2's syn_flood): the sender is an attacker, the receiver a victim.</summary>
public sealed class SynFlood() : AttackerVictimCheck(256, "SYNs per second above which a host is flagged")
{
    public static readonly AlertType Alert =
        AlertType.Host(6, "syn_flood", "TCP SYN Flood", AlertCategory.Security, Scores.Emergency);

    public override string Key => "syn_flood";
    public override string Title => "TCP SYN Flood";
    public override string Description => "A host sends or receives more SYNs per second than the threshold";
    public override AlertType AlertType => Alert;

    protected override (long AsAttacker, long AsVictim) Measure(Host host) =>
        (host.Interval.SynSentRate.Peak, host.Interval.SynReceivedRate.Peak);

    protected override string Describe(Host host, HostRole role, long value, long threshold) => role == HostRole.Attacker
        ? $"SYN flood: {host.Ip} sent {value} SYNs within one second (threshold {threshold}/s)"
        : $"SYN flood: {host.Ip} received {value} SYNs within one second (threshold {threshold}/s)";
}
