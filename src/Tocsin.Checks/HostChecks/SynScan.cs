using Tocsin.Alerts;
using Tocsin.Traffic;

namespace Tocsin.Checks.HostChecks;

/// <summary>
/// Too many connection attempts without answer in a minute (ntopng's syn_scan): SYNs sent minus SYN-ACKs received
/// make the host an attacker, SYNs received minus SYN-ACKs sent a victim.
/// </summary>
public sealed class SynScan() : AttackerVictimCheck(256, "unanswered SYNs per minute above which a host is flagged")
{
    public static readonly AlertType Alert =
        AlertType.Host(5, "syn_scan", "TCP SYN Scan", AlertCategory.Security, Scores.Warning);

    public override string Key => "syn_scan";
    public override string Title => "TCP SYN Scan";
    public override string Description => "A host sends or receives more unanswered SYNs per minute than the threshold";
    public override AlertType AlertType => Alert;

    protected override (long AsAttacker, long AsVictim) Measure(Host host) =>
        (Math.Max(0, host.Interval.Counts.SynSent - host.Interval.Counts.SynAckReceived),
         Math.Max(0, host.Interval.Counts.SynReceived - host.Interval.Counts.SynAckSent));

    protected override string Describe(Host host, HostRole role, long value, long threshold) => role == HostRole.Attacker
        ? $"TCP SYN scan: {host.Ip} sent {value} SYNs without answer in the last minute (threshold {threshold})"
        : $"TCP SYN scan: {host.Ip} received {value} SYNs it did not answer in the last minute (threshold {threshold})";
}
