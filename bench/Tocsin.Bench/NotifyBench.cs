using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tocsin.Alerts;
using Tocsin.Checks;
using Tocsin.Checks.FlowChecks;
using Tocsin.Config;
using Tocsin.Notifications;

namespace Tocsin.Bench;

/// <summary>
/// Notification throughput and latency, in one process: alerts published as the alert engine publishes them go
/// through the recipient filter, the durable SQLite queue (a real file, enqueues fsynced) and the dispatcher to
/// (a) an in-memory endpoint that acknowledges at once, the reference, and (b) a webhook to a Kestrel sink on
/// loopback. Then 1,000 alerts/s are published for 10 s to the webhook and each alert's delay from creation to
/// receipt is measured.
/// </summary>
public static class NotifyBench
{
    public static int Run(int alerts)
    {
        var dir = Path.Combine(Path.GetTempPath(), "tocsin-notify-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            RunAsync(dir, alerts).GetAwaiter().GetResult();
            return 0;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task RunAsync(string dir, int alerts)
    {
        await using var sink = await Sink.StartAsync();
        Console.WriteLine($"cpu={Cpu()} cores={Environment.ProcessorCount} alerts={alerts}");

        // Warm-up: the first run would otherwise pay for JIT compilation and Kestrel's start.
        await ThroughputAsync(dir, "memory", Math.Min(alerts, 20_000), sink, batch: 10);
        await ThroughputAsync(dir, "webhook10", Math.Min(alerts, 20_000), sink, batch: 10);
        var memory = await ThroughputAsync(dir, "memory", alerts, sink, batch: 10);
        var webhook10 = await ThroughputAsync(dir, "webhook10", alerts, sink, batch: 10);
        var webhook100 = await ThroughputAsync(dir, "webhook100", alerts, sink, batch: 100);
        foreach (var r in new[] { memory, webhook10, webhook100 })
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"throughput {r.Name}: alerts_per_s={r.PerSecond:0} publish_per_s={r.PublishPerSecond:0} seconds={r.Seconds:0.00} vs_memory={r.PerSecond / memory.PerSecond:0.00} vs_ntopng_333={r.PerSecond / 333:0}"));
        }

        var latency = await LatencyAsync(dir, sink, perSecond: 1000, seconds: 10);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"latency webhook10 at 1000/s: p50_ms={latency.P50:0.0} p99_ms={latency.P99:0.0} max_ms={latency.Max:0.0} alerts={latency.Count}"));
    }

    private sealed record Throughput(string Name, double PerSecond, double PublishPerSecond, double Seconds);

    private static async Task<Throughput> ThroughputAsync(string dir, string name, int count, Sink sink, int batch)
    {
        sink.Reset();
        // The queue holds the whole run: the publisher outruns any endpoint, and a smaller queue would drop the oldest.
        var config = name == "memory" ? MemoryConfig(batch, count) : WebhookConfig(dir, sink.Url, batch, count);
        await using var run = await Pipeline.StartAsync(Path.Combine(dir, $"{name}-{Guid.NewGuid():N}.db"), config);
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < count; i++)
            run.Writer.Publish(NewAlert(i));
        double published = clock.Elapsed.TotalSeconds;
        await run.Writer.CompleteAsync();
        if (!await run.Dispatcher.DrainAsync(TimeSpan.FromMinutes(5)))
            throw new InvalidOperationException($"{name}: not drained");
        double seconds = clock.Elapsed.TotalSeconds;
        long delivered = name == "memory" ? MemoryEndpointType.Delivered : sink.Alerts;
        if (delivered != count)
            throw new InvalidOperationException($"{name}: {delivered} of {count} alerts delivered");
        return new Throughput(name, count / seconds, count / published, seconds);
    }

    private sealed record Latency(double P50, double P99, double Max, int Count);

    /// <summary>Publishes <paramref name="perSecond"/> alerts per second from one thread, as the analysis does, each stamped with its creation time.</summary>
    private static async Task<Latency> LatencyAsync(string dir, Sink sink, int perSecond, int seconds)
    {
        sink.Reset();
        int count = perSecond * seconds;
        await using var run = await Pipeline.StartAsync(Path.Combine(dir, "latency.db"), WebhookConfig(dir, sink.Url, 10, count));
        var producer = new Thread(() =>
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < count; i++)
            {
                long due = start + (long)(i * (double)Stopwatch.Frequency / perSecond);
                while (Stopwatch.GetTimestamp() < due)
                {
                    if (Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due) > TimeSpan.FromMilliseconds(2))
                        Thread.Sleep(1);
                    else
                        Thread.SpinWait(50);
                }
                var alert = NewAlert(i);
                alert.Params["created"] = Stopwatch.GetTimestamp();
                run.Writer.Publish(alert);
            }
        });
        producer.Start();
        producer.Join();
        await run.Writer.CompleteAsync();
        await run.Dispatcher.DrainAsync(TimeSpan.FromMinutes(1));
        var delays = sink.Delays.Order().ToList();
        if (delays.Count != count)
            throw new InvalidOperationException($"latency: {delays.Count} of {count} alerts received");
        return new Latency(delays[delays.Count / 2], delays[(int)(delays.Count * 0.99)], delays[^1], delays.Count);
    }

    private static Alert NewAlert(int i) => new()
    {
        Type = TcpConnectionRefused.Alert,
        Entity = AlertEntity.Flow,
        EntityValue = "flow",
        Action = AlertAction.Store,
        Score = Scores.Notice,
        Category = TcpConnectionRefused.Alert.Category,
        Tstamp = 1_714_557_600 + i / 1000,
        TstampEnd = 1_714_557_600 + i / 1000,
        Params = new JsonObject { ["n"] = i },
        Message = $"10.2.0.1 refused the connection from 10.1.0.1 to TCP port 80 (SYN answered by RST) #{i}",
        Flow = new FlowAlertInfo { CliIp = "10.1.0.1", CliPort = 20000 + i % 40000, SrvIp = "10.2.0.1", SrvPort = 80, Proto = 6, IpVersion = 4 },
    };

    private static NotificationConfig WebhookConfig(string dir, string url, int batch, int queueSize)
    {
        var path = Path.Combine(dir, "tocsin.yaml");
        File.WriteAllText(path, $"""
            endpoints:
              sink:
                type: webhook
                url: {url}
                batch_size: {batch}
            recipients:
              bench: {"{"}endpoint: sink, queue_size: {queueSize}{"}"}
            """);
        return ConfigLoader.Load(path, CheckCatalog.Discover()).Notifications;
    }

    private static NotificationConfig MemoryConfig(int batch, int queueSize)
    {
        MemoryEndpointType.Reset();
        var type = new MemoryEndpointType();
        var endpoint = new EndpointConfig("memory", type, ParameterValues.Empty, type.DeliverySettings(ParameterValues.Empty) with { BatchSize = batch });
        return new NotificationConfig([endpoint], [new RecipientConfig { Name = "bench", Endpoint = endpoint, QueueSize = queueSize }]);
    }

    private static string Cpu() =>
        File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':')[1].Trim() ?? "unknown"
            : "unknown";

    /// <summary>The notification services as `tocsin` hosts them, on their own database file.</summary>
    private sealed class Pipeline : IAsyncDisposable
    {
        private readonly IHost host;
        private readonly NotificationQueue queue;

        private Pipeline(IHost host, NotificationQueue queue)
        {
            this.host = host;
            this.queue = queue;
        }

        public NotificationWriter Writer => host.Services.GetRequiredService<NotificationWriter>();

        public NotificationDispatcher Dispatcher => host.Services.GetRequiredService<NotificationDispatcher>();

        public static async Task<Pipeline> StartAsync(string db, NotificationConfig config)
        {
            var queue = NotificationQueue.Open(db);
            var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Services.AddTocsinNotifications(config, queue);
            var host = builder.Build();
            await host.StartAsync();
            return new Pipeline(host, queue);
        }

        public async ValueTask DisposeAsync()
        {
            await host.StopAsync();
            host.Dispose();
            queue.Dispose();
        }
    }

    /// <summary>A webhook receiver on loopback that counts alerts and, when stamped, their delay since creation.</summary>
    private sealed class Sink : IAsyncDisposable
    {
        private static readonly byte[] AlertStart = Encoding.UTF8.GetBytes("{\"ifid\":");
        private readonly WebApplication app;
        private long alerts;

        private Sink(WebApplication app) => this.app = app;

        public string Url { get; private set; } = "";

        public long Alerts => Interlocked.Read(ref alerts);

        public System.Collections.Concurrent.ConcurrentBag<double> Delays { get; private set; } = [];

        public void Reset()
        {
            Interlocked.Exchange(ref alerts, 0);
            Delays = [];
        }

        public static async Task<Sink> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
            var app = builder.Build();
            var sink = new Sink(app);
            app.Run(sink.HandleAsync);
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            sink.Url = address + "/bench";
            return sink;
        }

        private async Task HandleAsync(HttpContext context)
        {
            long received = Stopwatch.GetTimestamp();
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            var body = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
            if (body.IndexOf("created"u8) >= 0)
            {
                using var doc = JsonDocument.Parse(buffer.ToArray());
                foreach (var alert in doc.RootElement.GetProperty("alerts").EnumerateArray())
                {
                    long created = JsonDocument.Parse(alert.GetProperty("json").GetString()!).RootElement.GetProperty("created").GetInt64();
                    Delays.Add(Stopwatch.GetElapsedTime(created, received).TotalMilliseconds);
                }
            }
            int n = 0;
            for (int at; (at = body.IndexOf(AlertStart)) >= 0; body = body[(at + AlertStart.Length)..])
                n++;
            Interlocked.Add(ref alerts, n);
            context.Response.StatusCode = 200;
        }

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}

/// <summary>The reference endpoint: acknowledges every batch at once, so only filter, queue and dispatcher are measured.</summary>
public sealed class MemoryEndpointType : EndpointType
{
    private static long delivered;

    public static long Delivered => Interlocked.Read(ref delivered);

    public static void Reset() => Interlocked.Exchange(ref delivered, 0);

    public override string Key => "memory";

    public override string Description => "in-memory sink (benchmark reference)";

    public override DeliveryDefaults Defaults { get; } = new() { Settings = new DeliverySettings { BatchSize = 10 }, MaxBatchSize = 1000 };

    public override IEndpointSender CreateSender(EndpointContext context) => new Sender();

    private sealed class Sender : IEndpointSender
    {
        public string Destination => "memory";

        public Task<DeliveryResult> SendAsync(IReadOnlyList<Notification> batch, CancellationToken cancellation)
        {
            Interlocked.Add(ref delivered, batch.Count);
            return Task.FromResult(DeliveryResult.Delivered("ok"));
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
