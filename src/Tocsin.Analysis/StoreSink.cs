using Tocsin.Alerts;
using Tocsin.Store;

namespace Tocsin.Analysis;

/// <summary>Hands released and stored alerts to the alert store (engaged ones live in the engine, as ntopng).</summary>
public sealed class StoreSink(IAlertStore store) : IAlertSink
{
    public void Publish(Alert alert)
    {
        if (alert.Action != AlertAction.Engage)
            store.Add(alert);
    }
}
