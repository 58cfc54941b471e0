using System.Text.Json.Nodes;
using Tocsin.Alerts;
using Tocsin.Traffic;

namespace Tocsin.Checks;

/// <summary>
/// A host check of ntopng's "hits" family (scans, floods): one count as attacker, one as victim, compared with a
/// threshold each minute. The attacker side wins when both cross.
/// </summary>
public abstract class AttackerVictimCheck : HostCheck
{
    private readonly CountParameter threshold;

    protected AttackerVictimCheck(long defaultThreshold, string thresholdDescription)
    {
        threshold = new CountParameter("threshold", defaultThreshold, thresholdDescription, min: 1);
    }

    /// <summary>The host's count as attacker and as victim over the minute that ended.</summary>
    protected abstract (long AsAttacker, long AsVictim) Measure(Host host);

    /// <summary>The alert text for a crossing.</summary>
    protected abstract string Describe(Host host, HostRole role, long value, long threshold);

    public sealed override void PeriodicUpdate(HostCheckContext ctx, Host host, Alert? engaged)
    {
        var (asAttacker, asVictim) = Measure(host);
        long t = threshold.Value;
        var (role, value) = asAttacker > t ? (HostRole.Attacker, asAttacker) : asVictim > t ? (HostRole.Victim, asVictim) : (HostRole.None, 0L);
        if (role == HostRole.None)
            return;
        ctx.Trigger(host, Describe(host, role, value, t),
            new JsonObject { ["is_attacker"] = role == HostRole.Attacker, ["value"] = value, ["threshold"] = t }, role);
    }
}
