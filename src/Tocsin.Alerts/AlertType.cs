namespace Tocsin.Alerts;

/// <summary>
/// The definition of one kind of alert. <see cref="Id"/> follows ntopng's numbering in its <see cref="Space"/>
/// (spec/flow_alerts.csv, host_alerts.csv, other_alerts.csv) so consumers written for ntopng keep working.
/// Declare one as a <c>public static readonly</c> field next to the code that raises it: <see cref="AlertTypeCatalog"/>
/// discovers it there.
/// </summary>
public sealed class AlertType
{
    private AlertType(AlertTypeSpace space, int id, string name, string title, AlertCategory category, int defaultScore)
    {
        if (space == AlertTypeSpace.Other && id < OtherBase)
            throw new ArgumentOutOfRangeException(nameof(id), "other alert ids start at 4096");
        Space = space;
        Id = id;
        Name = name;
        Title = title;
        Category = category;
        DefaultScore = defaultScore;
    }

    /// <summary>First id of the "other" space (ntopng's OTHER_BASE_KEY).</summary>
    public const int OtherBase = 4096;

    public AlertTypeSpace Space { get; }

    /// <summary>The numeric key (ntopng's alert_id).</summary>
    public int Id { get; }

    /// <summary>Short key, as ntopng's check/alert key without its family prefix (e.g. "remote_to_remote").</summary>
    public string Name { get; }

    /// <summary>English title shown to users.</summary>
    public string Title { get; }

    public AlertCategory Category { get; }

    public int DefaultScore { get; }

    public Severity DefaultSeverity => Scores.ToSeverity(DefaultScore);

    /// <summary>ntopng's full key name, e.g. flow_alert_remote_to_remote, host_alert_syn_scan, alert_threshold_cross.</summary>
    public string FullName => Space switch
    {
        AlertTypeSpace.Flow => "flow_alert_" + Name,
        AlertTypeSpace.Host => "host_alert_" + Name,
        _ => "alert_" + Name,
    };

    public static AlertType Flow(int id, string name, string title, AlertCategory category, int defaultScore) =>
        new(AlertTypeSpace.Flow, id, name, title, category, defaultScore);

    public static AlertType Host(int id, string name, string title, AlertCategory category, int defaultScore) =>
        new(AlertTypeSpace.Host, id, name, title, category, defaultScore);

    public static AlertType Other(int id, string name, string title, AlertCategory category, int defaultScore) =>
        new(AlertTypeSpace.Other, id, name, title, category, defaultScore);

    /// <summary>A type read back from a store that this build does not define.</summary>
    public static AlertType Unknown(AlertTypeSpace space, int id, string name) =>
        new(space, id, name, name, AlertCategory.Other, 0);

    public static AlertTypeSpace SpaceOf(AlertEntity entity) => entity switch
    {
        AlertEntity.Flow => AlertTypeSpace.Flow,
        AlertEntity.Host => AlertTypeSpace.Host,
        _ => AlertTypeSpace.Other,
    };

    public override string ToString() => $"{FullName} ({Id})";
}
