using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Spectre.Console;
using Tocsin.Alerts;
using Tocsin.Checks;
using Tocsin.Cli.Output;
using Tocsin.Config;
using Tocsin.Notifications;

namespace Tocsin.Cli.Commands;

/// <summary>`tocsin recipients list | test | drain | requeue`.</summary>
public static class RecipientsCommand
{
    public static Command Build(CliEnvironment env)
    {
        Option<string> Config() => new("--config", "-c") { Description = "configuration file (tocsin.yaml) defining endpoints and recipients", Required = true };
        Option<string?> Db() => new("--db") { Description = "database holding the queues (default: the config's store.path)" };

        var listConfig = Config();
        var listDb = Db();
        var listFormat = TocsinCli.FormatOption();
        var list = new Command("list", "List endpoints and recipients (secrets masked) with their queue figures") { listConfig, listDb, listFormat };
        list.SetAction(r => List(r.GetValue(listConfig)!, r.GetValue(listDb), r.GetValue(listFormat), env));

        var testName = new Argument<string>("NAME") { Description = "recipient to test" };
        var testConfig = Config();
        var test = new Command("test", "Send a test alert to a recipient now and print the service's answer") { testName, testConfig };
        test.SetAction(r => Test(r.GetValue(testConfig)!, r.GetValue(testName)!, env));

        var drainConfig = Config();
        var drainDb = Db();
        var drainTimeout = NotificationRun.TimeoutOption("--timeout", "longest wait for the queues to drain");
        var drainVerbose = new Option<bool>("--verbose", "-v") { Description = "log delivery progress to stderr" };
        var drainFormat = TocsinCli.FormatOption();
        var drain = new Command("drain", "Deliver what the recipients' queues hold (after a crash, a timeout or an outage), then print statistics")
        {
            drainConfig, drainDb, drainTimeout, drainVerbose, drainFormat,
        };
        drain.SetAction(r => Drain(r.GetValue(drainConfig)!, r.GetValue(drainDb), r.GetValue(drainTimeout), r.GetValue(drainVerbose),
            r.GetValue(drainFormat), env));

        var requeueName = new Argument<string>("NAME") { Description = "recipient whose rejected alerts are queued again" };
        var requeueConfig = Config();
        var requeueDb = Db();
        var requeue = new Command("requeue", "Queue again the alerts a recipient's endpoint rejected (kept as dead letters)") { requeueName, requeueConfig, requeueDb };
        requeue.SetAction(r => Requeue(r.GetValue(requeueConfig)!, r.GetValue(requeueDb), r.GetValue(requeueName)!, env));

        var typesFormat = TocsinCli.FormatOption();
        var types = new Command("types", "List the endpoint types with their parameters, defaults and which are secret") { typesFormat };
        types.SetAction(r => Types(r.GetValue(typesFormat), env));

        return new Command("recipients", "Inspect, test and drain the notification recipients") { list, test, drain, requeue, types };
    }

    /// <summary>Every endpoint type and the parameters it declares, as the config file takes them.</summary>
    public static int Types(OutputFormat format, CliEnvironment env)
    {
        var types = EndpointRegistry.BuiltIn.All;
        static IEnumerable<(string Scope, EndpointParameter P)> Parameters(EndpointType t) =>
            t.EndpointParameters.Select(p => ("endpoint", p))
                .Concat(t.DeliveryParameters.Select(p => ("endpoint", p)))
                .Concat(t.RecipientParameters.Select(p => ("recipient", p)));
        if (format != OutputFormat.Table)
        {
            JsonOutput.Write(env.Out, indented: format == OutputFormat.Json, w =>
            {
                w.WriteStartArray();
                foreach (var t in types)
                {
                    w.WriteStartObject();
                    w.WriteString("type", t.Key);
                    w.WriteString("description", t.Description);
                    w.WriteStartArray("parameters");
                    foreach (var (scope, p) in Parameters(t))
                    {
                        w.WriteStartObject();
                        w.WriteString("name", p.Name);
                        w.WriteString("scope", scope);
                        w.WriteString("type", p.TypeName);
                        w.WriteString("default", p.Display(p.DefaultValue));
                        w.WriteBoolean("required", p.Required);
                        w.WriteBoolean("secret", p.Secret);
                        w.WriteString("description", p.Description);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            });
            return ExitCodes.Ok;
        }
        foreach (var t in types)
        {
            var table = new Table { Border = TableBorder.Simple, Title = new TableTitle($"{t.Key}: {Markup.Escape(t.Description)}") };
            foreach (var column in new[] { "Parameter", "Of", "Type", "Default", "Description" })
                table.AddColumn(column);
            foreach (var (scope, p) in Parameters(t))
            {
                var flags = (p.Required ? " (required)" : "") + (p.Secret ? " (secret)" : "");
                table.AddRow(Markup.Escape(p.Name + flags), scope, Markup.Escape(p.TypeName), Markup.Escape(p.Display(p.DefaultValue)), Markup.Escape(p.Description));
            }
            env.OutConsole.Write(table);
        }
        return ExitCodes.Ok;
    }

    /// <summary>Endpoints and recipients (secrets masked), with the queue figures stored in the database.</summary>
    public static int List(string configPath, string? dbPath, OutputFormat format, CliEnvironment env)
    {
        if (Load(configPath, env) is not { } config)
            return ExitCodes.UsageOrConfig;
        var db = dbPath ?? config.Store.Path;
        IReadOnlyList<RecipientStats> stored;
        try
        {
            stored = NotificationQueue.ReadStats(db);
        }
        catch (Microsoft.Data.Sqlite.SqliteException e)
        {
            env.Fail($"{db}: cannot read the notification queues: {e.Message}");
            return ExitCodes.UsageOrConfig;
        }
        var stats = stored.ToDictionary(s => s.Name, StringComparer.Ordinal);
        var n = config.Notifications;
        if (format != OutputFormat.Table)
        {
            JsonOutput.Write(env.Out, indented: format == OutputFormat.Json, w =>
            {
                w.WriteStartObject();
                w.WriteStartArray("endpoints");
                foreach (var e in n.Endpoints)
                {
                    w.WriteStartObject();
                    w.WriteString("name", e.Name);
                    w.WriteString("type", e.Type.Key);
                    WriteParameters(w, e.Parameters);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteStartArray("recipients");
                foreach (var r in n.Recipients)
                {
                    w.WriteStartObject();
                    w.WriteString("name", r.Name);
                    w.WriteString("endpoint", r.Endpoint.Name);
                    w.WriteString("filter", Filter(r));
                    w.WriteNumber("queue_size", r.QueueSize);
                    WriteParameters(w, r.Parameters);
                    w.WritePropertyName("stats");
                    NotificationRun.WriteStats(w, stats.GetValueOrDefault(r.Name) ?? new RecipientStats { Name = r.Name });
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            });
            return ExitCodes.Ok;
        }
        if (n.Recipients.Count == 0 && n.Endpoints.Count == 0)
        {
            env.Out.WriteLine($"No endpoints or recipients in {configPath}.");
            return ExitCodes.Ok;
        }
        var endpoints = new Table { Border = TableBorder.Simple, Title = new TableTitle("Endpoints") };
        foreach (var column in new[] { "Endpoint", "Type", "Parameters" })
            endpoints.AddColumn(column);
        foreach (var e in n.Endpoints)
            endpoints.AddRow(Markup.Escape(e.Name), e.Type.Key, Markup.Escape(Parameters(e.Parameters)));
        env.OutConsole.Write(endpoints);
        var recipients = new Table { Border = TableBorder.Simple, Title = new TableTitle($"Recipients (queues in {Markup.Escape(db)})") };
        foreach (var column in new[] { "Recipient", "Endpoint", "Filter", "Parameters", "Queued", "Delivered", "Retries", "Dropped", "Failed", "Last success", "Last error" })
            recipients.AddColumn(column);
        foreach (var r in n.Recipients)
        {
            var s = stats.GetValueOrDefault(r.Name) ?? new RecipientStats { Name = r.Name };
            recipients.AddRow(Markup.Escape(r.Name), Markup.Escape(r.Endpoint.Name), Markup.Escape(Filter(r)), Markup.Escape(Parameters(r.Parameters)),
                $"{NotificationRun.N(s.Queued)} / {NotificationRun.N(r.QueueSize)}", NotificationRun.N(s.Delivered), NotificationRun.N(s.Retries),
                NotificationRun.N(s.Dropped), NotificationRun.N(s.Failed) + (s.DeadLetters > 0 ? $" ({NotificationRun.N(s.DeadLetters)} kept)" : ""),
                s.LastSuccess is { } t ? AlertWriter.FormatTime(t.ToUnixTimeSeconds()) : "", Markup.Escape(NotificationRun.LastError(s)));
        }
        env.OutConsole.Write(recipients);
        return ExitCodes.Ok;
    }

    /// <summary>Sends a test alert to <paramref name="name"/> now (not through its queue) and prints the service's answer.</summary>
    public static int Test(string configPath, string name, CliEnvironment env)
    {
        if (Load(configPath, env) is not { } config)
            return ExitCodes.UsageOrConfig;
        if (Find(config, configPath, name, env) is not { } recipient)
            return ExitCodes.UsageOrConfig;
        using var provider = new ServiceCollection().AddNotificationHttpClient().BuildServiceProvider();
        var sender = NotificationDispatcher.CreateSender(recipient, provider.GetRequiredService<IHttpClientFactory>(), TimeProvider.System);
        try
        {
            var alert = SystemAlerts.Test(recipient.Name, DateTimeOffset.UtcNow);
            var result = NotificationDispatcher.SendAsync(sender, NotificationDispatcher.Redactor(recipient, sender),
                [Notification.FromAlert(alert)], CancellationToken.None).GetAwaiter().GetResult();
            env.Out.WriteLine($"{recipient.Name} ({recipient.Endpoint.Type.Key} {sender.Destination}): {result}");
            return result.IsDelivered ? ExitCodes.Ok : ExitCodes.Undelivered;
        }
        finally
        {
            sender.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>Delivers what the queues hold without analysing anything, until they are empty or the timeout passes.</summary>
    public static int Drain(string configPath, string? dbPath, TimeSpan timeout, bool verbose, OutputFormat format, CliEnvironment env)
    {
        if (Load(configPath, env) is not { } config)
            return ExitCodes.UsageOrConfig;
        if (NotificationRun.Recipients(config, configPath, "recipients drain", env) is not { } notifications)
            return ExitCodes.UsageOrConfig;
        var db = dbPath ?? config.Store.Path;
        using var queue = NotificationRun.OpenQueue(db, env);
        if (queue is null)
            return ExitCodes.UsageOrConfig;
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.AddProvider(new TextWriterLoggerProvider(env.Error));
        builder.Logging.SetMinimumLevel(verbose ? LogLevel.Information : LogLevel.Warning);
        NotificationRun.AddServices(builder.Services, notifications, queue);
        using var host = builder.Build();
        host.Start();
        var report = NotificationRun.Deliver(host, timeout);
        host.StopAsync().GetAwaiter().GetResult();
        if (format == OutputFormat.Table)
            NotificationRun.WriteText(env.OutConsole, report);
        else
            JsonOutput.Write(env.Out, indented: format == OutputFormat.Json, w => NotificationRun.WriteJson(w, report));
        return report.Drained ? ExitCodes.Ok : ExitCodes.Undelivered;
    }

    /// <summary>Puts <paramref name="name"/>'s dead letters (alerts its endpoint rejected) back into its queue.</summary>
    public static int Requeue(string configPath, string? dbPath, string name, CliEnvironment env)
    {
        if (Load(configPath, env) is not { } config)
            return ExitCodes.UsageOrConfig;
        if (Find(config, configPath, name, env) is not { } recipient)
            return ExitCodes.UsageOrConfig;
        var db = dbPath ?? config.Store.Path;
        using var queue = NotificationRun.OpenQueue(db, env);
        if (queue is null)
            return ExitCodes.UsageOrConfig;
        int moved = queue.Requeue(queue.Register(recipient.Name, recipient.QueueSize));
        env.Out.WriteLine($"{moved} rejected alert(s) of {recipient.Name} queued again (`tocsin recipients drain` delivers them).");
        return ExitCodes.Ok;
    }

    private static TocsinConfig? Load(string configPath, CliEnvironment env) => ConfigFile.Load(configPath, CheckCatalog.Discover(), env);

    private static RecipientConfig? Find(TocsinConfig config, string configPath, string name, CliEnvironment env)
    {
        if (config.Notifications.FindRecipient(name) is { } recipient)
            return recipient;
        var known = config.Notifications.Recipients.Select(r => r.Name).ToList();
        env.Fail($"no recipient '{name}' in {configPath}" + (known.Count > 0 ? $" (recipients: {string.Join(", ", known)})" : ""));
        return null;
    }

    private static string Parameters(ParameterValues values) => string.Join(", ", values.Display().Select(kv => $"{kv.Key}: {kv.Value}"));

    private static void WriteParameters(System.Text.Json.Utf8JsonWriter w, ParameterValues values)
    {
        w.WriteStartObject("parameters");
        foreach (var (key, value) in values.Display())
            w.WriteString(key, value);
        w.WriteEndObject();
    }

    /// <summary>The filter in one line: "≥ warning; categories security; actions engage, release; silence 1h".</summary>
    public static string Filter(RecipientConfig r)
    {
        var f = r.Filter;
        // The names the config file takes (ids_ips), so a filter shown can be copied into it.
        var parts = new List<string> { "severity ≥ " + f.MinSeverity.Name() };
        if (f.Categories is { } c)
            parts.Add("categories " + string.Join(", ", c.Select(x => x.Name()).Order()));
        if (f.Entities is { } e)
            parts.Add("entities " + string.Join(", ", e.Select(x => x.Name()).Order()));
        if (f.AlertTypes is { } t)
            parts.Add("alert ids " + string.Join(", ", t.Select(x => $"{x.Space.ToString().ToLowerInvariant()}:{x.Id}").Order()));
        var actions = r.Endpoint.Type.Actions(r.Parameters) is { } narrowed ? f.Actions.Intersect(narrowed) : f.Actions;
        if (actions.Count() < RecipientFilter.AllActions.Count)
            parts.Add("actions " + string.Join(", ", actions.Select(a => a.Name()).Order()));
        if (f.SilenceDuplicates > TimeSpan.Zero)
            parts.Add("silence duplicates " + Durations.Format(f.SilenceDuplicates));
        return string.Join("; ", parts);
    }
}
