using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Spectre.Console;
using Tocsin.Cli.Output;
using Tocsin.Config;
using Tocsin.Notifications;

namespace Tocsin.Cli.Commands;

/// <summary>What a delivery run did: per-recipient figures, and whether every queue emptied in time.</summary>
public sealed record DeliveryReport(IReadOnlyList<RecipientStats> Recipients, bool Drained, TimeSpan Timeout);

/// <summary>The notification parts of `tocsin analyze --notify` and `tocsin recipients drain`.</summary>
public static class NotificationRun
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>A duration option (30s, 5m...) defaulting to <see cref="DefaultTimeout"/>.</summary>
    public static Option<TimeSpan> TimeoutOption(string name, string description) => new(name)
    {
        Description = $"{description} (default {Durations.Format(DefaultTimeout)})",
        DefaultValueFactory = _ => DefaultTimeout,
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (!Durations.TryParse(text, out var d, out var error))
                result.AddError($"{name}: {error}");
            else if (d <= TimeSpan.Zero)
                result.AddError($"{name}: must be longer than zero, got '{text}'");
            else
                return d;
            return default;
        },
    };

    /// <summary>Opens the recipients' queues in <paramref name="dbPath"/>; null after printing why it could not.</summary>
    public static NotificationQueue? OpenQueue(string dbPath, CliEnvironment env)
    {
        try
        {
            return NotificationQueue.Open(dbPath);
        }
        catch (QueueBusyException e)
        {
            env.Fail(e.Message);
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or IOException or UnauthorizedAccessException or InvalidDataException)
        {
            env.Fail($"{dbPath}: cannot open the notification queues: {e.Message}");
        }
        return null;
    }

    /// <summary>The config's recipients, or null after printing that there are none.</summary>
    public static NotificationConfig? Recipients(TocsinConfig config, string configPath, string what, CliEnvironment env)
    {
        if (config.Notifications.Recipients.Count > 0)
            return config.Notifications;
        env.Fail($"{what}: {configPath} defines no recipients (see the recipients: section)");
        return null;
    }

    public static void AddServices(IServiceCollection services, NotificationConfig config, NotificationQueue queue) =>
        services.AddTocsinNotifications(config, queue);

    /// <summary>Commits what the analysis queued, then delivers until the queues are empty or <paramref name="timeout"/> passes.</summary>
    public static DeliveryReport Deliver(IHost host, TimeSpan timeout)
    {
        var writer = host.Services.GetRequiredService<NotificationWriter>();
        var dispatcher = host.Services.GetRequiredService<NotificationDispatcher>();
        writer.CompleteAsync().GetAwaiter().GetResult();
        bool drained = dispatcher.DrainAsync(timeout).GetAwaiter().GetResult();
        return new DeliveryReport(dispatcher.RunStats(), drained, timeout);
    }

    /// <summary>Per-recipient table: this run's deliveries, retries, drops and rejections, what is still queued, the last error.</summary>
    public static void WriteText(IAnsiConsole console, DeliveryReport report)
    {
        var table = new Table { Border = TableBorder.Simple, Title = new TableTitle("Notifications") };
        foreach (var column in new[] { "Recipient", "Delivered", "Retries", "Dropped", "Failed", "Queued", "Last error" })
            table.AddColumn(column);
        foreach (var r in report.Recipients)
        {
            table.AddRow(Markup.Escape(r.Name), N(r.Delivered), N(r.Retries), N(r.Dropped), N(r.Failed), N(r.Queued),
                Markup.Escape(LastError(r)));
        }
        console.Write(table);
        console.WriteLine(Summary(report));
    }

    /// <summary>
    /// The line under the table: a drained run may still have rejected alerts (kept as dead letters), so it says how
    /// many went and how many were refused rather than that everything was delivered.
    /// </summary>
    public static string Summary(DeliveryReport report)
    {
        if (!report.Drained)
            return $"Still queued after {Durations.Format(report.Timeout)}: {N(report.Recipients.Sum(r => r.Queued))} alerts (`tocsin recipients drain` resumes).";
        long rejected = report.Recipients.Sum(r => r.Failed);
        var summary = $"Queues drained: {N(report.Recipients.Sum(r => r.Delivered))} delivered, {N(rejected)} rejected";
        return rejected > 0 ? summary + " (kept as dead letters; `tocsin recipients requeue` puts them back)." : summary + ".";
    }

    public static void WriteJson(Utf8JsonWriter w, DeliveryReport report)
    {
        w.WriteStartObject();
        w.WriteBoolean("drained", report.Drained);
        w.WriteStartArray("recipients");
        foreach (var r in report.Recipients)
            WriteStats(w, r);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    public static void WriteStats(Utf8JsonWriter w, RecipientStats r)
    {
        w.WriteStartObject();
        w.WriteString("name", r.Name);
        w.WriteNumber("queued", r.Queued);
        w.WriteNumber("delivered", r.Delivered);
        w.WriteNumber("retries", r.Retries);
        w.WriteNumber("dropped", r.Dropped);
        w.WriteNumber("failed", r.Failed);
        w.WriteNumber("dead_letters", r.DeadLetters);
        if (r.LastSuccess is { } success)
            w.WriteString("last_success", success.ToString("o", CultureInfo.InvariantCulture));
        if (r.LastErrorTime is { } errorTime)
        {
            w.WriteString("last_error_time", errorTime.ToString("o", CultureInfo.InvariantCulture));
            w.WriteString("last_error_kind", r.LastErrorKind?.Name());
            w.WriteString("last_error", r.LastError);
        }
        w.WriteEndObject();
    }

    public static string LastError(RecipientStats r) =>
        r.LastErrorTime is { } t ? $"{AlertWriter.FormatTime(t.ToUnixTimeSeconds())} {r.LastErrorKind?.Name()}: {r.LastError}" : "";

    public static string N(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
}
