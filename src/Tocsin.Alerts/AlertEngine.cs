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
/// Workers store flow alerts concurrently, so every operation holds one lock: sinks see one event at a time.
/// </summary>
public sealed class AlertEngine
{
    private readonly Lock gate = new();
    private readonly Dictionary<AlertKey, Alert> engaged = [];
    private readonly List<IAlertSink> sinks = [];
    private readonly Dictionary<(AlertType Type, AlertAction Action), long> counts = [];

    public AlertEngine(IEnumerable<IAlertSink>? sinks = null)
    {
        if (sinks is not null)
            this.sinks.AddRange(sinks);
    }

    public void AddSink(IAlertSink sink) => sinks.Add(sink);

    /// <summary>A snapshot of the alerts engaged now.</summary>
    public IReadOnlyList<Alert> EngagedAlerts
    {
        get
        {
            lock (gate)
                return [.. engaged.Values];
        }
    }

    /// <summary>A snapshot of the events published so far, per type and action.</summary>
    public IReadOnlyDictionary<(AlertType Type, AlertAction Action), long> Counts
    {
        get
        {
            lock (gate)
                return new Dictionary<(AlertType, AlertAction), long>(counts);
        }
    }

    public Alert? FindEngaged(in AlertKey key)
    {
        lock (gate)
            return engaged.GetValueOrDefault(key);
    }

    /// <summary>Publishes a one-shot event (action store).</summary>
    public void Store(Alert alert)
    {
        alert.Action = AlertAction.Store;
        lock (gate)
            Publish(alert);
    }

    /// <summary>
    /// Engages <paramref name="alert"/> under <paramref name="key"/>, or, when one is already engaged, refreshes it
    /// with the new score, parameters and message while keeping its engage time. Returns true on a new engage.
    /// </summary>
    public bool Engage(in AlertKey key, Alert alert)
    {
        lock (gate)
            return EngageLocked(key, alert);
    }

    private bool EngageLocked(in AlertKey key, Alert alert)
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
        lock (gate)
        {
            if (!engaged.Remove(key, out var current))
                return false;
            Publish(current.CloneAs(AlertAction.Release, tstampEnd));
            return true;
        }
    }

    /// <summary>Releases every engaged alert (the end of an analysis).</summary>
    public int ReleaseAll(long tstampEnd)
    {
        lock (gate)
        {
            var all = engaged.Values.ToList();
            engaged.Clear();
            foreach (var alert in all)
                Publish(alert.CloneAs(AlertAction.Release, tstampEnd));
            return all.Count;
        }
    }

    private void Publish(Alert alert)
    {
        var key = (alert.Type, alert.Action);
        counts[key] = counts.GetValueOrDefault(key) + 1;
        foreach (var sink in sinks)
            sink.Publish(alert);
    }
}
