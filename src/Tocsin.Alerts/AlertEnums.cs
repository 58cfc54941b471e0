namespace Tocsin.Alerts;

/// <summary>What an alert is about, numbered as ntopng's AlertEntity.</summary>
public enum AlertEntity
{
    Interface = 0,
    Host = 1,
    Network = 2,
    Flow = 4,
    Mac = 5,
    User = 7,
    System = 9,
}

/// <summary>Check/alert categories, numbered as ntopng's AlertCategory.</summary>
public enum AlertCategory
{
    Other = 0,
    Security = 1,
    Internals = 2,
    Network = 3,
    System = 4,
    IdsIps = 5,
}

public enum AlertAction
{
    /// <summary>A stateful alert starts (kept engaged while its condition holds).</summary>
    Engage,

    /// <summary>A stateful alert ends: tstamp is its engage time, tstamp_end its release time.</summary>
    Release,

    /// <summary>A one-shot event (every flow alert), stored at once.</summary>
    Store,
}

/// <summary>ntopng numbers alert types in three spaces: flow ids 0-127, host ids 0-31, and 4096+ for the other entities.</summary>
public enum AlertTypeSpace
{
    Flow,
    Host,
    Other,
}

/// <summary>Stored alert status, as ntopng's alert_status column.</summary>
public enum AlertStatus
{
    Historical = 0,
    Acknowledged = 1,
    Engaged = 2,
}

public static class AlertNames
{
    public static string Name(this AlertEntity entity) => entity.ToString().ToLowerInvariant();

    public static string Name(this AlertAction action) => action.ToString().ToLowerInvariant();

    public static string Name(this AlertCategory category) => category switch
    {
        AlertCategory.IdsIps => "ids_ips",
        _ => category.ToString().ToLowerInvariant(),
    };

    public static string Title(this AlertCategory category) => category switch
    {
        AlertCategory.Security => "Cybersecurity",
        AlertCategory.IdsIps => "IDS/IPS",
        _ => category.ToString(),
    };

    public static bool TryParseCategory(string text, out AlertCategory category)
    {
        foreach (var c in Enum.GetValues<AlertCategory>())
        {
            if (string.Equals(c.Name(), text, StringComparison.OrdinalIgnoreCase))
            {
                category = c;
                return true;
            }
        }
        category = default;
        return false;
    }

    public static bool TryParseEntity(string text, out AlertEntity entity)
    {
        foreach (var e in Enum.GetValues<AlertEntity>())
        {
            if (string.Equals(e.Name(), text, StringComparison.OrdinalIgnoreCase))
            {
                entity = e;
                return true;
            }
        }
        entity = default;
        return false;
    }
}
