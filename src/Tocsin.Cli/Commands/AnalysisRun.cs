using System.Diagnostics;
using Spectre.Console;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tocsin.Alerts;
using Tocsin.Analysis;
using Tocsin.Capture;
using Tocsin.Checks;
using Tocsin.Cli.Output;
using Tocsin.Config;
using Tocsin.Decode;
using Tocsin.Ndpi;
using Tocsin.Notifications;
using Tocsin.Store;
using IFlowInspector = Tocsin.Traffic.IFlowInspector;

namespace Tocsin.Cli.Commands;

/// <summary>What `tocsin analyze` (and `tocsin demo`) were asked to do.</summary>
public sealed record AnalyzeRequest
{
    public required IReadOnlyList<string> Captures { get; init; }
    public string? ConfigPath { get; init; }
    public IReadOnlyList<string>? LocalNetworks { get; init; }
    public OutputFormat Format { get; init; } = OutputFormat.Table;

    /// <summary>Alert database; null uses the config's store path.</summary>
    public string? DbPath { get; init; }

    public bool Verbose { get; init; }

    /// <summary>Deliver the alerts to the config's recipients and wait up to <see cref="NotifyTimeout"/> for the queues to drain.</summary>
    public bool Notify { get; init; }

    public TimeSpan NotifyTimeout { get; init; } = NotificationRun.DefaultTimeout;

    /// <summary>Worker threads; null uses the config's, else one per core.</summary>
    public int? Workers { get; init; }

    /// <summary>Run without nDPI whatever the config says.</summary>
    public bool NoDpi { get; init; }

    /// <summary>Print the summary only: on a big capture the alerts are read from the store, not scrolled past.</summary>
    public bool Quiet { get; init; }

    /// <summary>Keep no database: the alerts are only printed (e.g. ndjson piped to another tool).</summary>
    public bool NoStore { get; init; }
}

/// <summary>Runs an analysis end to end: config, pipeline, store, output, exit code.</summary>
public static class AnalysisRun
{
    public static int Execute(AnalyzeRequest request, CliEnvironment env)
    {
        var catalog = CheckCatalog.Discover();
        if ((request.ConfigPath is null ? new TocsinConfig() : ConfigFile.Load(request.ConfigPath, catalog, env)) is not { } config)
            return ExitCodes.UsageOrConfig;

        var localNetworks = config.LocalNetworks;
        if (request.LocalNetworks is { Count: > 0 } cli)
        {
            var parsed = new List<IpNetwork>();
            foreach (var text in cli.SelectMany(s => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
            {
                if (!IpNetwork.TryParse(text, out var n, out var error))
                {
                    env.Fail($"--local-networks: {error}");
                    return ExitCodes.UsageOrConfig;
                }
                parsed.Add(n);
            }
            localNetworks = parsed;
        }

        var inspectors = new List<NdpiInspector>();
        Func<IFlowInspector>? detection = null;
        if (config.Detection.Enabled && !request.NoDpi)
        {
            try
            {
                NdpiLibrary.EnsureAvailable();
            }
            catch (NdpiUnavailableException e)
            {
                env.Fail(e.Message);
                return ExitCodes.UsageOrConfig;
            }
            var lists = new NdpiOptions
            {
                ProtocolsFile = config.Detection.ProtocolsFile,
                CategoriesFile = config.Detection.CategoriesFile,
                RiskyDomainsFile = config.Detection.RiskyDomainsFile,
                MaliciousJa3File = config.Detection.MaliciousJa3File,
                MaliciousSha1File = config.Detection.MaliciousSha1File,
            };
            detection = () =>
            {
                var inspector = new NdpiInspector(lists);
                inspectors.Add(inspector);
                return inspector;
            };
        }

        foreach (var path in request.Captures)
        {
            if (!File.Exists(path))
            {
                env.Fail($"{path}: no such capture file");
                return ExitCodes.CaptureUnreadable;
            }
        }

        var dbPath = request.DbPath ?? config.Store.Path;
        if (request.NoStore && request.Notify)
        {
            env.Fail("--notify needs the store: the recipients' queues live in the alert database");
            return ExitCodes.UsageOrConfig;
        }
        NotificationConfig? notifications = null;
        if (request.Notify && (notifications = NotificationRun.Recipients(config, request.ConfigPath ?? "the default configuration", "--notify", env)) is null)
            return ExitCodes.UsageOrConfig;
        using var queue = notifications is null ? null : NotificationRun.OpenQueue(dbPath, env);
        if (notifications is not null && queue is null)
            return ExitCodes.UsageOrConfig;
        using var host = BuildHost(env, request.NoStore ? null : dbPath, request.Verbose, notifications, queue);
        try
        {
            host.Start();
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or IOException or UnauthorizedAccessException or InvalidDataException
            or InvalidOperationException)
        {
            env.Fail(AlertsCommand.StoreError(dbPath, "cannot open the alert store", e));
            return ExitCodes.UsageOrConfig;
        }
        var store = host.Services.GetService<IAlertStore>();
        var writer = host.Services.GetService<AlertStoreWriter>();
        var engine = new AlertEngine(writer is null ? [] : [writer]);
        if (queue is not null)
        {
            engine.AddSink(host.Services.GetRequiredService<NotificationWriter>());
            host.Services.GetRequiredService<NotificationDispatcher>().SystemAlertRaised += store!.Add;
        }
        var collected = new List<Alert>();
        if (!request.Quiet)
            engine.AddSink(request.Format == OutputFormat.Ndjson ? new NdjsonSink(env.Out) : new CollectingSink(collected));

        var options = new AnalysisOptions
        {
            Traffic = config.Traffic,
            LocalNetworks = localNetworks,
            Decoder = new DecoderOptions { DecapsulateTeredo = config.DecapsulateTeredo },
            Interface = new InterfaceInfo(0, string.Join(",", request.Captures.Select(Path.GetFileName))),
            Workers = WorkersFor(request.Captures, request.Workers ?? config.Workers ?? Environment.ProcessorCount),
        };
        Analyzer analyzer;
        try
        {
            analyzer = new Analyzer(options, catalog.All, engine, detection);
        }
        catch (IOException e)
        {
            env.Fail($"nDPI: {e.Message}");
            return ExitCodes.UsageOrConfig;
        }
        int exit = ExitCodes.Ok;
        // A thread of its own: the analysis is long and CPU-bound, and the pool serves the store and the dispatcher.
        var work = Task.Factory.StartNew(() =>
        {
            foreach (var path in request.Captures)
            {
                try
                {
                    if (analyzer.Run(() => CaptureFile.Open(path)) is { Error: { } error } run)
                    {
                        env.Fail($"{error} ({run.Packets} packets read before it are analysed)");
                        exit = ExitCodes.CaptureUnreadable;
                    }
                }
                catch (CaptureFormatException e)
                {
                    env.Fail(e.Message);
                    exit = ExitCodes.CaptureUnreadable;
                }
                catch (IOException e)
                {
                    env.Fail($"{path}: {e.Message}");
                    exit = ExitCodes.CaptureUnreadable;
                }
            }
            var closed = analyzer.Close();
            foreach (var inspector in inspectors)
                inspector.Dispose();
            return closed;
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        ShowProgress(env, analyzer, work, request.Captures);
        var summary = work.GetAwaiter().GetResult();
        string? storeFailure = null;
        if (writer is not null)
        {
            try
            {
                var drain = Stopwatch.StartNew();
                writer.CompleteAsync().GetAwaiter().GetResult();
                summary = summary with { StoreDrain = drain.Elapsed };
                store!.ApplyRetention(config.Store.MaxAge, config.Store.MaxAlertsPerFamily, summary.LastPacketNs / 1_000_000_000);
            }
            catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or IOException)
            {
                // The store failed under the analysis (disk full, file removed...): the alerts it did not take are lost
                // to it, but not to the output, which still comes first.
                storeFailure = $"{dbPath}: writing alerts to the store failed after {writer.Written} alerts: {e.Message}";
            }
        }
        var delivery = queue is null ? null : NotificationRun.Deliver(host, request.NotifyTimeout);
        host.StopAsync().GetAwaiter().GetResult();

        WriteResults(env, request.Format, request.Quiet ? null : AlertWriter.InEventOrder(collected), summary, request.NoStore ? null : dbPath, delivery);
        if (storeFailure is not null)
        {
            env.Fail(storeFailure);
            return exit == ExitCodes.Ok ? ExitCodes.UsageOrConfig : exit;
        }
        return exit == ExitCodes.Ok && delivery is { Drained: false } ? ExitCodes.Undelivered : exit;
    }

    /// <summary>
    /// Every worker opens and reads the captures itself, which a pipe (a FIFO, /dev/stdin fed by a pipe) does not
    /// allow: its bytes would be shared out between the readers. So any capture that is not a regular file with
    /// bytes in it, once its links are followed (/dev/stdin is one), makes the analysis use one worker.
    /// </summary>
    private static int WorkersFor(IEnumerable<string> captures, int workers) =>
        workers > 1 && !captures.All(IsRegularFile) ? 1 : workers;

    private static bool IsRegularFile(string path)
    {
        try
        {
            var info = new FileInfo(path);
            // A pipe's link (/proc/self/fd/0 -> "pipe:[1234]") leads nowhere on disk; a FIFO has no size.
            return (info.LinkTarget is null ? info : info.ResolveLinkTarget(returnFinalTarget: true)) is FileInfo { Exists: true, Length: > 0 };
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static string StoredLine(string? dbPath) => dbPath is null ? "Alerts not stored (--no-store)" : $"Alerts stored in {dbPath}";

    /// <summary>The services of a run: logging to the error stream, the alert store and its background writer (unless
    /// <paramref name="dbPath"/> is null), the notifications.</summary>
    private static IHost BuildHost(CliEnvironment env, string? dbPath, bool verbose, NotificationConfig? notifications, NotificationQueue? queue)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.AddProvider(new TextWriterLoggerProvider(env.Error));
        builder.Logging.SetMinimumLevel(verbose ? LogLevel.Information : LogLevel.Warning);
        builder.Services.AddSingleton(StoredAlertTypes.Discover());
        if (dbPath is not null)
        {
            builder.Services.AddSingleton<IAlertStore>(sp => new SqliteAlertStore(dbPath, sp.GetRequiredService<AlertTypeCatalog>()));
            builder.Services.AddSingleton<AlertStoreWriter>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<AlertStoreWriter>());
        }
        if (notifications is not null && queue is not null)
            NotificationRun.AddServices(builder.Services, notifications, queue);
        return builder.Build();
    }

    /// <summary>A progress bar on a terminal, only when the run lasts more than a second.</summary>
    private static void ShowProgress(CliEnvironment env, Analyzer analyzer, Task work, IReadOnlyList<string> captures)
    {
        if (!env.Interactive || work.Wait(TimeSpan.FromSeconds(1)))
            return;
        long total = captures.Sum(p => new FileInfo(p).Length);
        env.ErrorConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("Analysing", maxValue: Math.Max(1, total));
                while (!work.Wait(TimeSpan.FromMilliseconds(200)))
                    task.Value = analyzer.BytesRead;
                task.Value = total;
            });
    }

    /// <param name="alerts">The alerts to print; null when the run is quiet.</param>
    /// <param name="dbPath">The alert database; null when the run keeps none.</param>
    private static void WriteResults(CliEnvironment env, OutputFormat format, IReadOnlyList<Alert>? alerts, AnalysisSummary summary, string? dbPath,
        DeliveryReport? delivery)
    {
        switch (format)
        {
            case OutputFormat.Ndjson:
                env.Out.Flush();
                SummaryWriter.WriteText(env.ErrorConsole, summary);
                env.Error.WriteLine(StoredLine(dbPath));
                if (delivery is not null)
                    NotificationRun.WriteText(env.ErrorConsole, delivery);
                break;
            case OutputFormat.Json:
                JsonOutput.Write(env.Out, indented: true, w =>
                {
                    w.WriteStartObject();
                    if (alerts is not null)
                    {
                        w.WritePropertyName("alerts");
                        AlertWriter.WriteJsonArray(w, alerts);
                    }
                    w.WritePropertyName("summary");
                    SummaryWriter.WriteJson(w, summary);
                    w.WriteString("store", dbPath);
                    if (delivery is not null)
                    {
                        w.WritePropertyName("notifications");
                        NotificationRun.WriteJson(w, delivery);
                    }
                    w.WriteEndObject();
                });
                break;
            default:
                if (alerts is not null)
                {
                    AlertWriter.WriteTable(env.OutConsole, alerts, "Alerts");
                    if (summary.EngagedAtEnd.Count > 0)
                    {
                        env.OutConsole.WriteLine();
                        AlertWriter.WriteTable(env.OutConsole, summary.EngagedAtEnd, "Still engaged at the end of the capture (released when the analysis closed)");
                    }
                    env.OutConsole.WriteLine();
                }
                SummaryWriter.WriteText(env.OutConsole, summary);
                env.OutConsole.WriteLine(StoredLine(dbPath));
                if (delivery is not null)
                {
                    env.OutConsole.WriteLine();
                    NotificationRun.WriteText(env.OutConsole, delivery);
                }
                break;
        }
    }

    private sealed class CollectingSink(List<Alert> alerts) : IAlertSink
    {
        public void Publish(Alert alert) => alerts.Add(alert);
    }

    private sealed class NdjsonSink(TextWriter output) : IAlertSink
    {
        private readonly JsonOutput lines = new(output, indented: false);

        public void Publish(Alert alert) => AlertWriter.WriteNdjson(lines, alert);
    }
}
