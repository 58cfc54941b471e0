using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Tocsin.Alerts;

namespace Tocsin.Store;

/// <summary>
/// The alert store in one SQLite file, one table per family as ntopng (spec §1.13). Writes are queued and committed
/// in batches; every public member is thread-safe (one connection, serialized by a lock).
/// </summary>
public sealed class SqliteAlertStore : IAlertStore
{
    /// <summary>Layout version kept in PRAGMA user_version; a layout change bumps it and adds an upgrade step.</summary>
    public const int SchemaVersion = 1;

    private readonly AlertTypeCatalog catalog;
    private readonly int batchSize;
    private readonly SqliteConnection connection;
    private readonly Dictionary<AlertEntity, PreparedInsert> inserts = [];
    private readonly List<PendingAlert> pending = [];
    private readonly Lock gate = new();
    private bool disposed;

    public SqliteAlertStore(string path, AlertTypeCatalog catalog, SqliteAlertStoreOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(catalog);
        options ??= new SqliteAlertStoreOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 1, nameof(options));
        // Positive: Microsoft.Data.Sqlite reads a command timeout of 0 as "retry a locked file forever".
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.BusyTimeout, TimeSpan.Zero, nameof(options));

        this.catalog = catalog;
        batchSize = options.BatchSize;
        Path = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);

        connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            // The store holds its one connection for its whole life; a pooled one would keep the file open after Dispose.
            Pooling = false,
            DefaultTimeout = (int)Math.Ceiling(options.BusyTimeout.TotalSeconds),
        }.ToString());
        try
        {
            connection.Open();
            Configure(options.BusyTimeout);
            EnsureSchema();
            foreach (var table in AlertTable.All)
                inserts.Add(table.Entity, new PreparedInsert(connection, table.InsertSql()));
        }
        catch
        {
            DisposeConnection();
            throw;
        }
    }

    /// <summary>Full path of the database file.</summary>
    public string Path { get; }

    public void Add(Alert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        // ntopng keeps engaged alerts in memory only; the release carries the whole alert (alert_store_db.lua).
        if (alert.Action == AlertAction.Engage)
            return;
        var table = AlertTable.For(alert.Entity);
        if (alert.Type.Space != AlertType.SpaceOf(alert.Entity))
            throw new ArgumentException($"{alert.Type} is not a {alert.Entity.Name()} alert type: it could not be read back", nameof(alert));
        var entry = new PendingAlert(alert, table, table.Values(alert), AlertTable.StoredStatus(alert));
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            pending.Add(entry);
            if (pending.Count >= batchSize)
                CommitPending();
        }
    }

    public void Flush()
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            CommitPending();
        }
    }

    public IReadOnlyList<Alert> Query(AlertQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegative(query.Limit, nameof(query));
        ArgumentOutOfRangeException.ThrowIfNegative(query.Offset, nameof(query));
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            CommitPending();
            var sql = KeySql(query);
            if (sql is null || query.Limit == 0)
                return [];

            // One read snapshot for both steps, so a retention pass in another process cannot remove a row in between.
            using var transaction = connection.BeginTransaction(deferred: true);
            var keys = new List<(AlertTable Table, long RowId)>();
            using (var command = Command(sql, transaction))
            {
                AlertFilter.Bind(command, query);
                command.Parameters.AddWithValue("@limit", query.Limit);
                command.Parameters.AddWithValue("@offset", query.Offset);
                using var reader = command.ExecuteReader();
                while (reader.Read())
                    keys.Add((AlertTable.For((AlertEntity)reader.GetInt32(0)), reader.GetInt64(1)));
            }

            var loaded = new Dictionary<(AlertEntity, long), Alert>(keys.Count);
            foreach (var group in keys.GroupBy(k => k.Table))
            {
                var table = group.Key;
                using var command = Command(table.SelectSql() + " WHERE rowid IN (SELECT value FROM json_each(@ids))", transaction);
                command.Parameters.AddWithValue("@ids", new JsonArray([.. group.Select(k => (JsonNode?)k.RowId)]).ToJsonString());
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    var alert = table.Read(reader, catalog);
                    loaded.Add((table.Entity, alert.RowId), alert);
                }
            }
            transaction.Commit();
            return [.. keys.Select(k => loaded[(k.Table.Entity, k.RowId)])];
        }
    }

    /// <summary>Counts every matching alert; <see cref="AlertQuery.Limit"/> and <see cref="AlertQuery.Offset"/> do not apply.</summary>
    public long Count(AlertQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            CommitPending();
            var counts = TablesFor(query)
                .Select(t => (Table: t, Conditions: AlertFilter.Conditions(query, t)))
                .Where(x => x.Conditions is not null)
                .Select(x => $"(SELECT COUNT(*) FROM {x.Table.Name}{AlertFilter.Where(x.Conditions!)})")
                .ToList();
            if (counts.Count == 0)
                return 0;
            using var command = Command("SELECT " + string.Join(" + ", counts));
            AlertFilter.Bind(command, query);
            return (long)command.ExecuteScalar()!;
        }
    }

    /// <summary>Acknowledges every matching historical alert; <see cref="AlertQuery.Limit"/> and <see cref="AlertQuery.Offset"/> do not apply.</summary>
    public int Acknowledge(AlertQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            CommitPending();
            using var transaction = connection.BeginTransaction();
            var changed = 0;
            foreach (var table in TablesFor(query))
            {
                var conditions = AlertFilter.Conditions(query, table);
                if (conditions is null)
                    continue;
                conditions.Add($"alert_status = {(int)AlertStatus.Historical}");
                using var command = Command(
                    $"UPDATE {table.Name} SET alert_status = {(int)AlertStatus.Acknowledged}{AlertFilter.Where(conditions)}", transaction);
                AlertFilter.Bind(command, query);
                changed += command.ExecuteNonQuery();
            }
            transaction.Commit();
            return changed;
        }
    }

    public RetentionResult ApplyRetention(TimeSpan maxAge, long maxPerFamily, long now)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAge, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegative(maxPerFamily);
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            CommitPending();
            using var transaction = connection.BeginTransaction();
            long byAge = 0, byCount = 0;
            foreach (var table in AlertTable.All)
            {
                using var command = Command($"DELETE FROM {table.Name} WHERE tstamp < @cutoff", transaction);
                command.Parameters.AddWithValue("@cutoff", now - maxAge.Ticks / TimeSpan.TicksPerSecond);
                byAge += command.ExecuteNonQuery();
            }
            foreach (var table in AlertTable.All)
            {
                using var command = Command(
                    $"DELETE FROM {table.Name} WHERE rowid IN " +
                    $"(SELECT rowid FROM {table.Name} ORDER BY tstamp DESC, rowid DESC LIMIT -1 OFFSET @keep)", transaction);
                command.Parameters.AddWithValue("@keep", maxPerFamily);
                byCount += command.ExecuteNonQuery();
            }
            transaction.Commit();
            return new RetentionResult(byAge, byCount);
        }
    }

    /// <summary>Commits what is queued, then closes the file. Never throws: <see cref="Flush"/> first to learn whether the
    /// last alerts were committed.</summary>
    public void Dispose()
    {
        lock (gate)
        {
            if (disposed)
                return;
            disposed = true;
            try
            {
                CommitPending();
                // SQLite's advice for long-lived connections: refresh planner statistics when closing.
                Execute("PRAGMA optimize");
            }
            catch (SqliteException)
            {
                // Dispose runs during teardown, where a throw hides the real error or crashes the host. A batch still
                // pending is one whose commit already failed and was thrown to Add or Flush, which reported it.
            }
            finally
            {
                DisposeConnection();
            }
        }
    }

    /// <summary>SQLite's plan for the row selection of <paramref name="query"/>, one line per step.</summary>
    internal IReadOnlyList<string> ExplainQueryPlan(AlertQuery query)
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            var sql = KeySql(query);
            if (sql is null)
                return [];
            using var command = Command("EXPLAIN QUERY PLAN " + sql);
            AlertFilter.Bind(command, query);
            command.Parameters.AddWithValue("@limit", query.Limit);
            command.Parameters.AddWithValue("@offset", query.Offset);
            using var reader = command.ExecuteReader();
            var plan = new List<string>();
            while (reader.Read())
                plan.Add(reader.GetString(reader.GetOrdinal("detail")));
            return plan;
        }
    }

    private static IReadOnlyList<AlertTable> TablesFor(AlertQuery query) =>
        query.Entity is { } entity ? [AlertTable.For(entity)] : AlertTable.All;

    /// <summary>
    /// Selects (family, rowid) of the requested page across the queried families; null when no family can match.
    /// The ORDER BY is on the compound so SQLite merges the per-table index scans and stops at the limit.
    /// </summary>
    private static string? KeySql(AlertQuery query)
    {
        var arms = new List<string>();
        foreach (var table in TablesFor(query))
        {
            var conditions = AlertFilter.Conditions(query, table);
            if (conditions is not null)
                arms.Add($"SELECT {(int)table.Entity} AS family, rowid AS id, tstamp FROM {table.Name}{AlertFilter.Where(conditions)}");
        }
        if (arms.Count == 0)
            return null;
        var direction = query.Ascending ? "ASC" : "DESC";
        return string.Join(" UNION ALL ", arms) +
            $" ORDER BY tstamp {direction}, id {direction}, family {direction} LIMIT @limit OFFSET @offset";
    }

    private void Configure(TimeSpan busyTimeout)
    {
        var mode = (string?)Scalar("PRAGMA journal_mode = WAL");
        // WAL is what lets readers (CLI, API) query while the engine writes; refuse to run silently without it.
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"{Path}: SQLite refused WAL journal mode (got {mode})");
        // NORMAL is durable against application crashes in WAL mode; only a power loss can drop the last commits.
        Execute("PRAGMA synchronous = NORMAL");
        // Index pages of a busy store stay cached between batches (64 MiB), and the WAL is folded into the file every
        // 64 MiB rather than 4: a page rewritten by many commits is copied once per checkpoint.
        Execute("PRAGMA cache_size = -65536");
        Execute("PRAGMA wal_autocheckpoint = 16384");
        Execute("PRAGMA busy_timeout = " + ((long)busyTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
    }

    private void EnsureSchema()
    {
        // An immediate transaction: two processes opening a new file at once take turns instead of both creating it.
        using var transaction = connection.BeginTransaction();
        var version = Convert.ToInt32(Scalar("PRAGMA user_version", transaction), CultureInfo.InvariantCulture);
        if (version == SchemaVersion)
            return;
        if (version != 0)
            throw new InvalidDataException($"{Path}: alert store schema version {version}, this build reads version {SchemaVersion}");
        foreach (var statement in AlertTable.All.SelectMany(t => t.CreateStatements()))
            Execute(statement, transaction);
        Execute($"PRAGMA user_version = {SchemaVersion}", transaction);
        transaction.Commit();
    }

    private void CommitPending()
    {
        if (pending.Count == 0)
            return;
        var rowIds = new long[pending.Count];
        using (var transaction = connection.BeginTransaction())
        {
            for (var i = 0; i < pending.Count; i++)
            {
                var entry = pending[i];
                rowIds[i] = inserts[entry.Table.Entity].Execute(entry.Values);
            }
            transaction.Commit();
        }
        // Only after the commit: a failed batch stays queued for the next attempt and its alerts keep RowId 0.
        for (var i = 0; i < pending.Count; i++)
        {
            pending[i].Alert.RowId = rowIds[i];
            pending[i].Alert.Status = pending[i].Status;
        }
        pending.Clear();
    }

    private SqliteCommand Command(string sql, SqliteTransaction? transaction = null)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    private void Execute(string sql, SqliteTransaction? transaction = null)
    {
        using var command = Command(sql, transaction);
        command.ExecuteNonQuery();
    }

    private object? Scalar(string sql, SqliteTransaction? transaction = null)
    {
        using var command = Command(sql, transaction);
        return command.ExecuteScalar();
    }

    private void DisposeConnection()
    {
        foreach (var insert in inserts.Values)
            insert.Dispose();
        inserts.Clear();
        connection.Dispose();
    }

    private readonly record struct PendingAlert(Alert Alert, AlertTable Table, Cell[] Values, AlertStatus Status);
}
