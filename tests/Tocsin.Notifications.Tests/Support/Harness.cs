using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tocsin.Alerts;
using Tocsin.Checks;
using Tocsin.Config;
using Tocsin.Testing;

namespace Tocsin.Notifications.Tests;

/// <summary>
/// The notification services as `tocsin` runs them (Generic Host, queue in SQLite, writer and dispatcher), built from
/// a YAML config, with every log line captured.
/// </summary>
public sealed class Harness : IAsyncDisposable
{
    private readonly IHost host;

    private Harness(IHost host, NotificationQueue queue, CapturingLoggerProvider logs)
    {
        this.host = host;
        Queue = queue;
        Logs = logs;
    }

    public NotificationQueue Queue { get; }

    public CapturingLoggerProvider Logs { get; }

    public NotificationWriter Writer => host.Services.GetRequiredService<NotificationWriter>();

    public NotificationDispatcher Dispatcher => host.Services.GetRequiredService<NotificationDispatcher>();

    /// <summary>Fast retries and short intervals, so failure paths run in milliseconds.</summary>
    public static NotificationOptions FastOptions { get; } = new()
    {
        DroppedAlertInterval = TimeSpan.FromMilliseconds(200),
        FailureLogInterval = TimeSpan.Zero,
    };

    /// <summary>Parses <paramref name="yaml"/> as tocsin.yaml in <paramref name="dir"/>.</summary>
    public static NotificationConfig Config(TempDirectory dir, string yaml)
    {
        var path = dir.File("tocsin.yaml");
        File.WriteAllText(path, yaml);
        return ConfigLoader.Load(path, CheckCatalog.Discover()).Notifications;
    }

    /// <summary>Built, not started: alerts published now are committed in the writer's first pass.</summary>
    public static Harness Create(TempDirectory dir, string yaml, NotificationOptions? options = null, string db = "tocsin.db",
        TimeSpan? busyTimeout = null) =>
        Create(dir, Config(dir, yaml), options, db, busyTimeout);

    public static Harness Create(TempDirectory dir, NotificationConfig config, NotificationOptions? options = null, string db = "tocsin.db",
        TimeSpan? busyTimeout = null)
    {
        var queue = NotificationQueue.Open(dir.File(db), busyTimeout);
        var logs = new CapturingLoggerProvider();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.AddProvider(logs);
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        builder.Services.AddTocsinNotifications(config, queue, options ?? FastOptions);
        return new Harness(builder.Build(), queue, logs);
    }

    public static async Task<Harness> StartAsync(TempDirectory dir, string yaml, NotificationOptions? options = null, string db = "tocsin.db")
    {
        var harness = Create(dir, yaml, options, db);
        await harness.StartAsync();
        return harness;
    }

    public Task StartAsync() => host.StartAsync();

    public void Publish(IEnumerable<Alert> alerts)
    {
        foreach (var a in alerts)
            Writer.Publish(a);
    }

    /// <summary>
    /// Publishes <paramref name="alerts"/> before starting, so the writer commits them all in its first pass (the
    /// batches are then deterministic), starts, and asserts that everything is delivered (or rejected) within 10 s.
    /// </summary>
    public async Task DeliverAllAsync(IEnumerable<Alert> alerts)
    {
        Publish(alerts);
        await StartAsync();
        Assert.True(await CompleteAndDrainAsync(TimeSpan.FromSeconds(10)), "the queues did not drain");
    }

    /// <summary>Every published alert committed, then delivered (or timed out).</summary>
    public async Task<bool> CompleteAndDrainAsync(TimeSpan timeout)
    {
        await Writer.CompleteAsync();
        return await Dispatcher.DrainAsync(timeout);
    }

    public RecipientStats Stats(string recipient) => Dispatcher.Stats().Single(s => s.Name == recipient);

    public async ValueTask DisposeAsync()
    {
        await host.StopAsync();
        host.Dispose();
        Queue.Dispose();
    }
}
