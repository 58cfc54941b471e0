namespace Tocsin.Alerts;

/// <summary>Receives every alert event leaving the engine (store, output, recipients' queues).</summary>
public interface IAlertSink
{
    void Publish(Alert alert);
}

/// <summary>Identity of a stateful alert: at most one is engaged per key.</summary>
public readonly record struct AlertKey(AlertEntity Entity, string EntityValue, AlertType Type, string Subtype, int Granularity);

/// <summary>
/// Engages, updates and releases stateful alerts and stores events; publishes each event once to every sink.
/// Single-threaded: driven by the analysis clock.
/// </summary>
public sealed class AlertEngine
{
    private readonly Dictionary<AlertKey, Alert> engaged = [];
    private readonly List<IAlertSink> sinks = [];
    private readonly Dictionary<(AlertType Type, AlertAction Action), long> counts = [];

    public AlertEngine(IEnumerable<IAlertSink>? sinks = null)
    {
        if (sinks is not null)
            this.sinks.AddRange(sinks);
    }

    public void AddSink(IAlertSink sink) => sinks.Add(sink);

    public IReadOnlyCollection<Alert> EngagedAlerts => engaged.Values;

    /// <summary>Events published so far, per type and action.</summary>
    public IReadOnlyDictionary<(AlertType Type, AlertAction Action), long> Counts => counts;

    public long Published { get; private set; }

    public Alert? FindEngaged(in AlertKey key) => engaged.GetValueOrDefault(key);

    /// <summary>Publishes a one-shot event (action store).</summary>
    public void Store(Alert alert)
    {
        alert.Action = AlertAction.Store;
        Publish(alert);
    }

    /// <summary>
    /// Engages <paramref name="alert"/> under <paramref name="key"/>, or, when one is already engaged, refreshes it
    /// with the new score, parameters and message while keeping its engage time. Returns true on a new engage.
    /// </summary>
    public bool Engage(in AlertKey key, Alert alert)
    {
        if (engaged.TryGetValue(key, out var current))
        {
            alert.Tstamp = current.Tstamp;
            alert.Action = AlertAction.Engage;
            alert.TstampEnd = 0;
            engaged[key] = alert;
            return false;
        }
        alert.Action = AlertAction.Engage;
        alert.TstampEnd = 0;
        engaged.Add(key, alert);
        Publish(alert);
        return true;
    }

    /// <summary>Releases the alert engaged under <paramref name="key"/>, if any, at <paramref name="tstampEnd"/>.</summary>
    public bool Release(in AlertKey key, long tstampEnd)
    {
        if (!engaged.Remove(key, out var current))
            return false;
        Publish(current.CloneAs(AlertAction.Release, tstampEnd));
        return true;
    }

    /// <summary>Releases every engaged alert matching <paramref name="predicate"/> (e.g. all of a forgotten host).</summary>
    public int ReleaseWhere(Func<AlertKey, bool> predicate, long tstampEnd)
    {
        var keys = engaged.Keys.Where(predicate).ToList();
        foreach (var key in keys)
            Release(key, tstampEnd);
        return keys.Count;
    }

    public int ReleaseAll(long tstampEnd) => ReleaseWhere(_ => true, tstampEnd);

    private void Publish(Alert alert)
    {
        var key = (alert.Type, alert.Action);
        counts[key] = counts.GetValueOrDefault(key) + 1;
        Published++;
        foreach (var sink in sinks)
            sink.Publish(alert);
    }
}
