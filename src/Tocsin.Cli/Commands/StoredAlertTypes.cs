using Tocsin.Alerts;
using Tocsin.Checks;
using Tocsin.Notifications;

namespace Tocsin.Cli.Commands;

/// <summary>Every alert type a store written by this build can hold: the checks' and the system alerts' (dropped_alerts...).</summary>
public static class StoredAlertTypes
{
    public static AlertTypeCatalog Discover() => AlertTypeCatalog.Discover(typeof(Check).Assembly, typeof(SystemAlerts).Assembly);
}
