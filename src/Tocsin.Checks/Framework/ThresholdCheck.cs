using Tocsin.Alerts;
using Tocsin.Traffic;

namespace Tocsin.Checks;

/// <summary>
/// A threshold-cross check: a metric of an interface, local network or host, compared per period (min, 5min,
/// hour, day; each set independently, unset = not evaluated) with <c>gt</c> or <c>lt</c>. The alert stays engaged
/// while consecutive periods cross, one engaged alert per period length.
/// </summary>
public abstract class ThresholdCheck(string key, string title, string description, string metric) : Check
{
    /// <summary>ntopng's alert_threshold_cross, for interfaces and networks.</summary>
    public static readonly AlertType ThresholdCross =
        AlertType.Other(4136, "threshold_cross", "Threshold Cross", AlertCategory.Network, Scores.Warning);

    private readonly ThresholdParameter perMinute = new("min", "bound for the value of each minute, e.g. 'gt 100M'");
    private readonly ThresholdParameter perFiveMinutes = new("5min", "bound for the value of each 5 minutes");
    private readonly ThresholdParameter perHour = new("hour", "bound for the value of each hour");
    private readonly ThresholdParameter perDay = new("day", "bound for the value of each day (UTC)");

    public sealed override string Key => key;
    public sealed override string Title => title;
    public sealed override string Description => description;

    /// <summary>Metric name used in alerts, e.g. "bytes".</summary>
    public string Metric => metric;

    public override AlertType AlertType => ThresholdCross;

    public Threshold? ThresholdFor(Granularity granularity) => granularity switch
    {
        Granularity.Minute => perMinute.Value,
        Granularity.FiveMinutes => perFiveMinutes.Value,
        Granularity.Hour => perHour.Value,
        _ => perDay.Value,
    };
}

/// <summary>A threshold on an interface's or a local network's cumulative counters.</summary>
public abstract class TrafficThresholdCheck(string key, CheckEntity entity, string title, string description, string metric, Func<TrafficCounters, long> read)
    : ThresholdCheck(key, title, description, metric)
{
    public sealed override CheckEntity Entity => entity;

    public long Read(TrafficCounters counters) => read(counters);
}

/// <summary>A threshold on a host's cumulative counters (ntopng's host traffic-volume rule alert).</summary>
public abstract class HostThresholdCheck(string key, string title, string description, string metric, Func<Host, long> read)
    : ThresholdCheck(key, title, description, metric)
{
    public static readonly AlertType TrafficVolume =
        AlertType.Host(26, "traffic_volume", "Threshold Crossed", AlertCategory.Network, Scores.Error);

    public sealed override CheckEntity Entity => CheckEntity.Host;

    public override AlertType AlertType => TrafficVolume;

    public long Read(Host host) => read(host);
}
