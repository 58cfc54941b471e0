using System.Text.Json.Nodes;
using Tocsin.Alerts;
using Tocsin.Traffic;

namespace Tocsin.Checks;

/// <summary>The part a host plays in a host alert.</summary>
public enum HostRole
{
    None,
    Attacker,
    Victim,
}

/// <summary>
/// A check on hosts, run every minute of the capture clock with the counters of that minute. It gets the alert it
/// currently has engaged on the host (or null): calling <see cref="HostCheckContext.Trigger"/> keeps or engages it;
/// not calling it releases it.
/// </summary>
public abstract class HostCheck : Check
{
    public sealed override CheckEntity Entity => CheckEntity.Host;

    public abstract void PeriodicUpdate(HostCheckContext ctx, Host host, Alert? engaged);
}

public sealed class HostCheckContext
{
    private readonly PeriodicChecksRunner runner;

    internal HostCheckContext(PeriodicChecksRunner runner) => this.runner = runner;

    internal HostCheck Current { get; set; } = null!;

    internal bool Triggered { get; set; }

    public long NowNs => runner.NowNs;

    /// <summary>Engages (or keeps engaged) the check's alert on <paramref name="host"/>.</summary>
    public void Trigger(Host host, string message, JsonObject? parameters = null, HostRole role = HostRole.None)
    {
        Triggered = true;
        runner.TriggerHostAlert(Current, host, message, parameters, role);
    }
}
