using System.Globalization;
using Tocsin.Alerts;
using Tocsin.Cli.Output;
using Tocsin.Store;

namespace Tocsin.Cli.Commands;

/// <summary>Filters of `tocsin alerts list`, as given on the command line.</summary>
public sealed record AlertsListRequest
{
    public required string DbPath { get; init; }
    public string? Family { get; init; }
    public IReadOnlyList<string> Types { get; init; } = [];
    public string? Severity { get; init; }
    public int? MinScore { get; init; }
    public string? Entity { get; init; }
    public string? Ip { get; init; }
    public string? CliIp { get; init; }
    public string? SrvIp { get; init; }
    public int? Port { get; init; }
    public int? Vlan { get; init; }
    public string? Since { get; init; }
    public string? Until { get; init; }
    public string? Status { get; init; }
    public int Limit { get; init; } = 100;
    public OutputFormat Format { get; init; } = OutputFormat.Table;
}

/// <summary>`tocsin alerts list`: reads the alert store with filters.</summary>
public static class AlertsCommand
{
    public static int List(AlertsListRequest r, CliEnvironment env)
    {
        if (!File.Exists(r.DbPath))
        {
            env.Fail($"{r.DbPath}: no alert store there (run `tocsin analyze ... --db {r.DbPath}` first)");
            return ExitCodes.UsageOrConfig;
        }
        var catalog = StoredAlertTypes.Discover();
        if (!TryBuildQuery(r, catalog, out var query, out var error))
        {
            env.Fail(error);
            return ExitCodes.UsageOrConfig;
        }
        IReadOnlyList<Alert> alerts;
        long total;
        try
        {
            using var store = new SqliteAlertStore(r.DbPath, catalog);
            alerts = store.Query(query);
            // Count ignores the limit: the table says how many matched in all.
            total = r.Format == OutputFormat.Table ? store.Count(query) : alerts.Count;
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or IOException or UnauthorizedAccessException or InvalidDataException or InvalidOperationException)
        {
            env.Fail(StoreError(r.DbPath, "cannot read the alert store", e));
            return ExitCodes.UsageOrConfig;
        }
        switch (r.Format)
        {
            case OutputFormat.Ndjson:
                var lines = new JsonOutput(env.Out, indented: false);
                foreach (var a in alerts)
                    AlertWriter.WriteNdjson(lines, a);
                break;
            case OutputFormat.Json:
                JsonOutput.Write(env.Out, indented: true, w => AlertWriter.WriteJsonArray(w, alerts));
                break;
            default:
                AlertWriter.WriteTable(env.OutConsole, alerts, $"{alerts.Count} of {total} alerts in {r.DbPath}");
                break;
        }
        return ExitCodes.Ok;
    }

    /// <summary>"FILE: what failed: why"; the store's own exceptions (schema version, WAL refused) already say that.</summary>
    public static string StoreError(string dbPath, string what, Exception e) =>
        e is InvalidDataException or InvalidOperationException ? e.Message : $"{dbPath}: {what}: {e.Message}";

    private static bool TryBuildQuery(AlertsListRequest r, AlertTypeCatalog catalog, out AlertQuery query, out string error)
    {
        query = new AlertQuery { Limit = r.Limit, MinScore = r.MinScore, EntityValue = r.Entity, Ip = r.Ip, CliIp = r.CliIp, SrvIp = r.SrvIp, Port = r.Port, VlanId = r.Vlan };
        error = "";
        if (r.Limit < 1)
        {
            error = $"--limit: must be at least 1, got {r.Limit}";
            return false;
        }
        if (r.Family is not null)
        {
            if (!AlertNames.TryParseEntity(r.Family, out var entity))
            {
                error = $"--family: unknown family '{r.Family}' (interface, host, network, flow, mac, user, system)";
                return false;
            }
            query = query with { Entity = entity };
        }
        if (r.Types.Count > 0)
        {
            var ids = new List<int>();
            var types = new List<AlertType>();
            foreach (var t in r.Types.SelectMany(t => t.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
            {
                if (int.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id))
                    ids.Add(id);
                else if (catalog.Find(t) is { } type)
                    types.Add(type);
                else
                {
                    error = $"--type: unknown alert type '{t}' (give a name such as syn_scan or a numeric id)";
                    return false;
                }
            }
            query = query with { TypeIds = ids.Count > 0 ? ids : null, Types = types.Count > 0 ? types : null };
        }
        if (r.Severity is not null)
        {
            if (!Scores.TryParse(r.Severity, out var severity))
            {
                error = $"--severity: unknown severity '{r.Severity}'";
                return false;
            }
            query = query with { MinSeverity = severity };
        }
        if (r.Status is not null)
        {
            if (!Enum.TryParse<AlertStatus>(r.Status, ignoreCase: true, out var status) || status == AlertStatus.Engaged)
            {
                error = $"--status: must be historical or acknowledged, got '{r.Status}'";
                return false;
            }
            query = query with { Status = status };
        }
        if (r.Since is not null)
        {
            if (!TryParseTime(r.Since, out var since))
            {
                error = $"--since: '{r.Since}' is not a time (epoch seconds or ISO 8601, UTC)";
                return false;
            }
            query = query with { From = since };
        }
        if (r.Until is not null)
        {
            if (!TryParseTime(r.Until, out var until))
            {
                error = $"--until: '{r.Until}' is not a time (epoch seconds or ISO 8601, UTC)";
                return false;
            }
            query = query with { To = until };
        }
        return true;
    }

    public static bool TryParseTime(string text, out long epochSeconds)
    {
        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out epochSeconds))
            return true;
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t))
        {
            epochSeconds = t.ToUnixTimeSeconds();
            return true;
        }
        return false;
    }
}
