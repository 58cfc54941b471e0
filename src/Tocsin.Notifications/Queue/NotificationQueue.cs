using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Tocsin.Notifications;

/// <summary>An alert on its way into one recipient's queue.</summary>
public readonly record struct QueueEntry(RecipientQueue Recipient, string Title, string Json, long CreatedMs);

/// <summary>Alerts an enqueue had to drop from a full queue.</summary>
public readonly record struct QueueOverflow(RecipientQueue Recipient, long Dropped);

/// <summary>
/// Durable per-recipient FIFOs in SQLite tables (notify_*), by default in the alert store's file. An alert leaves its
/// queue only when the endpoint acknowledged it (<see cref="Acknowledge"/>) or rejected it for good (then it is kept
/// as a dead letter): delivery is at-least-once and survives crashes. A full queue drops its oldest alerts, never the
/// batch in flight, and counts them.
/// </summary>
/// <remarks>
/// One process at a time owns the queues of a file (a lock file beside it; the kernel releases it if the process
/// dies). Enqueues commit with synchronous=FULL, so an accepted alert survives a power loss too; acknowledgements
/// commit with NORMAL (a lost one only resends a batch). Every public member is thread-safe.
/// </remarks>
public sealed class NotificationQueue : IDisposable
{
    public const int SchemaVersion = 1;

    private static readonly string[] Schema =
    [
        "CREATE TABLE IF NOT EXISTS notify_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
        """
        CREATE TABLE IF NOT EXISTS notify_recipients (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            delivered INTEGER NOT NULL DEFAULT 0,
            retries INTEGER NOT NULL DEFAULT 0,
            dropped INTEGER NOT NULL DEFAULT 0,
            failed INTEGER NOT NULL DEFAULT 0,
            last_success_ms INTEGER,
            last_error_ms INTEGER,
            last_error_kind TEXT,
            last_error TEXT)
        """,
        // AUTOINCREMENT: a seq is never reused, so it identifies an alert's delivery for good.
        """
        CREATE TABLE IF NOT EXISTS notify_queue (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            recipient INTEGER NOT NULL,
            created_ms INTEGER NOT NULL,
            title TEXT NOT NULL,
            payload TEXT NOT NULL)
        """,
        "CREATE INDEX IF NOT EXISTS notify_queue_recipient ON notify_queue (recipient, seq)",
        """
        CREATE TABLE IF NOT EXISTS notify_dead (
            seq INTEGER PRIMARY KEY,
            recipient INTEGER NOT NULL,
            created_ms INTEGER NOT NULL,
            failed_ms INTEGER NOT NULL,
            kind TEXT NOT NULL,
            reason TEXT NOT NULL,
            title TEXT NOT NULL,
            payload TEXT NOT NULL)
        """,
        "CREATE INDEX IF NOT EXISTS notify_dead_recipient ON notify_dead (recipient, seq)",
    ];

    private readonly FileStream lockFile;
    private readonly SqliteConnection writer;
    private readonly SqliteConnection dispatcher;
    private readonly Lock writeGate = new();
    private readonly Lock dispatchGate = new();
    private readonly SqliteCommand insert;
    private readonly SqliteCommand peek;
    private readonly SqliteCommand acknowledge;
    private readonly SqliteCommand countDelivered;
    private readonly Dictionary<string, RecipientQueue> recipients = new(StringComparer.Ordinal);
    private bool disposed;

    private NotificationQueue(string path, FileStream lockFile, SqliteConnection writer, SqliteConnection dispatcher)
    {
        Path = path;
        this.lockFile = lockFile;
        this.writer = writer;
        this.dispatcher = dispatcher;
        insert = Prepared(writer, "INSERT INTO notify_queue (recipient, created_ms, title, payload) VALUES (@r, @c, @t, @p)", "@r", "@c", "@t", "@p");
        // The dispatcher's hot statements, prepared once: a batch of 10 alerts costs one acknowledgement.
        peek = Prepared(dispatcher, "SELECT seq, title, payload FROM notify_queue WHERE recipient = @r ORDER BY seq LIMIT @n", "@r", "@n");
        acknowledge = Prepared(dispatcher, "DELETE FROM notify_queue WHERE recipient = @r AND seq BETWEEN @a AND @b", "@r", "@a", "@b");
        countDelivered = Prepared(dispatcher, "UPDATE notify_recipients SET delivered = delivered + @n, last_success_ms = @t WHERE id = @r", "@n", "@t", "@r");
    }

    private static SqliteCommand Prepared(SqliteConnection connection, string sql, params string[] parameters)
    {
        var command = Command(connection, sql);
        foreach (var name in parameters)
            command.Parameters.Add(new SqliteParameter(name, null));
        command.Prepare();
        return command;
    }

    /// <summary>Full path of the database file.</summary>
    public string Path { get; }

    /// <summary>The lock file that keeps a second process from delivering the same queues.</summary>
    public static string LockPath(string databasePath) => System.IO.Path.GetFullPath(databasePath) + ".notify-lock";

    /// <summary>Opens (creating when needed) the queues in <paramref name="databasePath"/> and takes ownership of them.</summary>
    /// <exception cref="QueueBusyException">Another process owns them.</exception>
    public static NotificationQueue Open(string databasePath, TimeSpan? busyTimeout = null)
    {
        var path = System.IO.Path.GetFullPath(databasePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        FileStream lockFile;
        try
        {
            // FileShare.None is an exclusive flock on Linux, released by the kernel when the process ends however it ends.
            lockFile = new FileStream(LockPath(path), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new QueueBusyException(path, e);
        }
        SqliteConnection? w = null, d = null;
        try
        {
            var timeout = busyTimeout ?? TimeSpan.FromSeconds(10);
            w = Connect(path, timeout, "FULL");
            EnsureSchema(w, path);
            d = Connect(path, timeout, "NORMAL");
            return new NotificationQueue(path, lockFile, w, d);
        }
        catch
        {
            w?.Dispose();
            d?.Dispose();
            lockFile.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The queue of recipient <paramref name="name"/> (created on first use), with its stored counters and current
    /// length. Rename a recipient and it gets a new, empty queue: the old one waits under the old name.
    /// </summary>
    public RecipientQueue Register(string name, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        lock (writeGate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (recipients.TryGetValue(name, out var existing))
                return existing;
            using (var add = Command(writer, "INSERT OR IGNORE INTO notify_recipients (name) VALUES (@n)"))
            {
                add.Parameters.AddWithValue("@n", name);
                add.ExecuteNonQuery();
            }
            var (id, stats) = ReadStats(writer, name).Single();
            var queue = new RecipientQueue(id, stats, capacity);
            recipients.Add(name, queue);
            return queue;
        }
    }

    /// <summary>Names of recipients that have alerts waiting but were not registered by this process (gone from the config).</summary>
    public IReadOnlyList<RecipientStats> Unregistered()
    {
        lock (writeGate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            return [.. ReadStats(writer, null).Select(s => s.Stats).Where(s => !recipients.ContainsKey(s.Name) && (s.Queued > 0 || s.DeadLetters > 0))];
        }
    }

    /// <summary>
    /// Appends <paramref name="entries"/> in order in one transaction, then trims every queue that went over its
    /// capacity by its oldest alerts that are not in flight. Returns what each trimmed queue dropped.
    /// </summary>
    public IReadOnlyList<QueueOverflow> Enqueue(IReadOnlyList<QueueEntry> entries)
    {
        if (entries.Count == 0)
            return [];
        lock (writeGate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            var added = new Dictionary<RecipientQueue, long>();
            foreach (var e in entries)
                added[e.Recipient] = added.GetValueOrDefault(e.Recipient) + 1;
            var full = added.Where(kv => kv.Key.Queued + kv.Value > kv.Key.Capacity).Select(kv => kv.Key).OrderBy(q => q.Id).ToList();
            // Hold the full queues' gates until the commit: the dispatcher cannot take rows in flight that this deletes.
            foreach (var q in full)
                q.Gate.Enter();
            try
            {
                var dropped = new List<QueueOverflow>();
                using (var transaction = writer.BeginTransaction())
                {
                    insert.Transaction = transaction;
                    foreach (var e in entries)
                    {
                        insert.Parameters[0].Value = e.Recipient.Id;
                        insert.Parameters[1].Value = e.CreatedMs;
                        insert.Parameters[2].Value = e.Title;
                        insert.Parameters[3].Value = e.Json;
                        insert.ExecuteNonQuery();
                    }
                    foreach (var q in full)
                    {
                        // The live counter lags the dispatcher's commits (it can only be high): count exactly before dropping.
                        long excess = Count(writer, transaction, q) - q.Capacity;
                        if (excess <= 0)
                            continue;
                        using var trim = Command(writer,
                            "DELETE FROM notify_queue WHERE seq IN (SELECT seq FROM notify_queue WHERE recipient = @r AND seq > @f ORDER BY seq LIMIT @n)",
                            transaction);
                        trim.Parameters.AddWithValue("@r", q.Id);
                        trim.Parameters.AddWithValue("@f", q.InFlightUpTo);
                        trim.Parameters.AddWithValue("@n", excess);
                        int n = trim.ExecuteNonQuery();
                        if (n > 0)
                        {
                            AddCounter(writer, transaction, q, "dropped", n);
                            dropped.Add(new QueueOverflow(q, n));
                        }
                    }
                    transaction.Commit();
                }
                foreach (var (q, n) in added)
                    q.Added(n);
                foreach (var (q, n) in dropped)
                    q.Overflowed(n);
                return dropped;
            }
            finally
            {
                insert.Transaction = null;
                foreach (var q in full)
                    q.Gate.Exit();
            }
        }
    }

    /// <summary>The oldest <paramref name="max"/> alerts of <paramref name="queue"/>, marked in flight until <see cref="Settle"/>.</summary>
    public List<Notification> Peek(RecipientQueue queue, int max)
    {
        lock (queue.Gate)
        {
            lock (dispatchGate)
            {
                ObjectDisposedException.ThrowIf(disposed, this);
                peek.Parameters[0].Value = queue.Id;
                peek.Parameters[1].Value = max;
                var rows = new List<Notification>();
                using (var reader = peek.ExecuteReader())
                {
                    while (reader.Read())
                        rows.Add(new Notification(reader.GetInt64(0), reader.GetString(1), reader.GetString(2)));
                }
                if (rows.Count > 0)
                    queue.InFlightUpTo = rows[^1].Seq;
                return rows;
            }
        }
    }

    /// <summary>Nothing of <paramref name="queue"/> is in flight any more.</summary>
    public void Settle(RecipientQueue queue) => queue.InFlightUpTo = 0;

    /// <summary>Removes a delivered batch (consecutive alerts from the head) and counts it, in one transaction.</summary>
    public void Acknowledge(RecipientQueue queue, IReadOnlyList<Notification> batch, DateTimeOffset now)
    {
        if (batch.Count == 0)
            return;
        int removed;
        lock (dispatchGate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            using var transaction = dispatcher.BeginTransaction();
            // A batch is a run of the recipient's consecutive rows: nothing can sit between its first and last seq
            // (newer rows have higher seqs, and Requeue refuses to run while a batch is in flight).
            acknowledge.Transaction = transaction;
            acknowledge.Parameters[0].Value = queue.Id;
            acknowledge.Parameters[1].Value = batch[0].Seq;
            acknowledge.Parameters[2].Value = batch[^1].Seq;
            removed = acknowledge.ExecuteNonQuery();
            countDelivered.Transaction = transaction;
            countDelivered.Parameters[0].Value = removed;
            countDelivered.Parameters[1].Value = now.ToUnixTimeMilliseconds();
            countDelivered.Parameters[2].Value = queue.Id;
            countDelivered.ExecuteNonQuery();
            transaction.Commit();
            acknowledge.Transaction = null;
            countDelivered.Transaction = null;
        }
        queue.Acknowledged(removed, now);
    }

    /// <summary>Counts a failed attempt that will be retried, with its reason.</summary>
    public void RecordRetry(RecipientQueue queue, FailureKind kind, string reason, DateTimeOffset now)
    {
        lock (dispatchGate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            using var stats = Command(dispatcher,
                "UPDATE notify_recipients SET retries = retries + 1, last_error_ms = @t, last_error_kind = @k, last_error = @e WHERE id = @r");
            BindError(stats, queue, kind, reason, now);
            stats.ExecuteNonQuery();
        }
        queue.Retried(kind, reason, now);
    }

    /// <summary>
    /// Moves an alert the endpoint rejected for good out of the queue into the dead letters, bounded like the queue.
    /// Returns how many of the oldest dead letters that bound dropped.
    /// </summary>
    public long DeadLetter(RecipientQueue queue, Notification notification, FailureKind kind, string reason, DateTimeOffset now)
    {
        long trimmed;
        lock (dispatchGate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            using var transaction = dispatcher.BeginTransaction();
            using (var move = Command(dispatcher, """
                INSERT INTO notify_dead (seq, recipient, created_ms, failed_ms, kind, reason, title, payload)
                SELECT seq, recipient, created_ms, @t, @k, @e, title, payload FROM notify_queue WHERE seq = @s AND recipient = @r
                """, transaction))
            {
                BindError(move, queue, kind, reason, now);
                move.Parameters.AddWithValue("@s", notification.Seq);
                move.ExecuteNonQuery();
            }
            using (var delete = Command(dispatcher, "DELETE FROM notify_queue WHERE seq = @s", transaction))
            {
                delete.Parameters.AddWithValue("@s", notification.Seq);
                delete.ExecuteNonQuery();
            }
            using (var trim = Command(dispatcher, """
                DELETE FROM notify_dead WHERE seq IN
                (SELECT seq FROM notify_dead WHERE recipient = @r ORDER BY seq DESC LIMIT -1 OFFSET @keep)
                """, transaction))
            {
                trim.Parameters.AddWithValue("@r", queue.Id);
                trim.Parameters.AddWithValue("@keep", queue.Capacity);
                trimmed = trim.ExecuteNonQuery();
            }
            using (var stats = Command(dispatcher, """
                UPDATE notify_recipients SET failed = failed + 1, dropped = dropped + @d,
                    last_error_ms = @t, last_error_kind = @k, last_error = @e WHERE id = @r
                """, transaction))
            {
                BindError(stats, queue, kind, reason, now);
                stats.Parameters.AddWithValue("@d", trimmed);
                stats.ExecuteNonQuery();
            }
            transaction.Commit();
        }
        queue.Rejected(kind, reason, now);
        if (trimmed > 0)
            queue.DeadLettersDropped(trimmed);
        return trimmed;
    }

    /// <summary>
    /// Puts <paramref name="queue"/>'s dead letters back at their places in the queue (by seq: oldest first). Returns
    /// how many. Not while a batch of that recipient is in flight: it could land inside the batch's seq range.
    /// </summary>
    public int Requeue(RecipientQueue queue)
    {
        int moved;
        lock (queue.Gate)
        lock (dispatchGate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (queue.InFlightUpTo != 0)
                throw new InvalidOperationException($"recipient {queue.Name} is delivering: requeue its dead letters when it is idle");
            using var transaction = dispatcher.BeginTransaction();
            using (var move = Command(dispatcher, """
                INSERT INTO notify_queue (seq, recipient, created_ms, title, payload)
                SELECT seq, recipient, created_ms, title, payload FROM notify_dead WHERE recipient = @r
                """, transaction))
            {
                move.Parameters.AddWithValue("@r", queue.Id);
                moved = move.ExecuteNonQuery();
            }
            using (var delete = Command(dispatcher, "DELETE FROM notify_dead WHERE recipient = @r", transaction))
            {
                delete.Parameters.AddWithValue("@r", queue.Id);
                delete.ExecuteNonQuery();
            }
            transaction.Commit();
        }
        queue.Requeued(moved);
        return moved;
    }

    /// <summary>
    /// Per-recipient figures stored in <paramref name="databasePath"/>, read without taking ownership (a running
    /// dispatcher keeps going). Empty when the file or its queues do not exist.
    /// </summary>
    public static IReadOnlyList<RecipientStats> ReadStats(string databasePath)
    {
        if (!File.Exists(databasePath))
            return [];
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString());
        connection.Open();
        using (var probe = Command(connection, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'notify_recipients'"))
        {
            if ((long)probe.ExecuteScalar()! == 0)
                return [];
        }
        return [.. ReadStats(connection, null).Select(s => s.Stats)];
    }

    public void Dispose()
    {
        lock (writeGate)
        {
            lock (dispatchGate)
            {
                if (disposed)
                    return;
                disposed = true;
                insert.Dispose();
                peek.Dispose();
                acknowledge.Dispose();
                countDelivered.Dispose();
                writer.Dispose();
                dispatcher.Dispose();
                lockFile.Dispose();
            }
        }
    }

    private static List<(int Id, RecipientStats Stats)> ReadStats(SqliteConnection connection, string? name)
    {
        using var command = Command(connection, """
            SELECT r.id, r.name, r.delivered, r.retries, r.dropped, r.failed, r.last_success_ms, r.last_error_ms, r.last_error_kind, r.last_error,
                   (SELECT COUNT(*) FROM notify_queue q WHERE q.recipient = r.id),
                   (SELECT COUNT(*) FROM notify_dead d WHERE d.recipient = r.id)
            FROM notify_recipients r
            """ + (name is null ? " ORDER BY r.name" : " WHERE r.name = @n"));
        if (name is not null)
            command.Parameters.AddWithValue("@n", name);
        using var reader = command.ExecuteReader();
        var result = new List<(int, RecipientStats)>();
        while (reader.Read())
        {
            result.Add((reader.GetInt32(0), new RecipientStats
            {
                Name = reader.GetString(1),
                Delivered = reader.GetInt64(2),
                Retries = reader.GetInt64(3),
                Dropped = reader.GetInt64(4),
                Failed = reader.GetInt64(5),
                LastSuccess = reader.IsDBNull(6) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)),
                LastErrorTime = reader.IsDBNull(7) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7)),
                LastErrorKind = reader.IsDBNull(8) ? null : ParseKind(reader.GetString(8)),
                LastError = reader.IsDBNull(9) ? null : reader.GetString(9),
                Queued = reader.GetInt64(10),
                DeadLetters = reader.GetInt64(11),
            }));
        }
        return result;
    }

    private static FailureKind? ParseKind(string name) =>
        Enum.GetValues<FailureKind>().Cast<FailureKind?>().FirstOrDefault(k => k!.Value.Name() == name);

    private static SqliteConnection Connect(string path, TimeSpan busyTimeout, string synchronous)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = (int)Math.Ceiling(busyTimeout.TotalSeconds),
        }.ToString());
        try
        {
            connection.Open();
            using (var wal = Command(connection, "PRAGMA journal_mode = WAL"))
            {
                var mode = (string?)wal.ExecuteScalar();
                if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
                    throw new InvalidOperationException($"{path}: SQLite refused WAL journal mode (got {mode})");
            }
            Execute(connection, "PRAGMA synchronous = " + synchronous);
            Execute(connection, "PRAGMA busy_timeout = " + ((long)busyTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static void EnsureSchema(SqliteConnection connection, string path)
    {
        // Immediate: two processes creating the tables at once take turns. The alert store owns PRAGMA user_version
        // of a shared file, so the queues keep their version in their own table.
        using var transaction = connection.BeginTransaction();
        foreach (var statement in Schema)
            Execute(connection, statement, transaction);
        using (var read = Command(connection, "SELECT value FROM notify_meta WHERE key = 'schema'", transaction))
        {
            var version = (string?)read.ExecuteScalar();
            if (version is not null && version != SchemaVersion.ToString(CultureInfo.InvariantCulture))
                throw new InvalidDataException($"{path}: notification queue schema version {version}, this build reads version {SchemaVersion}");
        }
        Execute(connection, $"INSERT OR IGNORE INTO notify_meta (key, value) VALUES ('schema', '{SchemaVersion}')", transaction);
        transaction.Commit();
    }

    private static long Count(SqliteConnection connection, SqliteTransaction transaction, RecipientQueue queue)
    {
        using var command = Command(connection, "SELECT COUNT(*) FROM notify_queue WHERE recipient = @r", transaction);
        command.Parameters.AddWithValue("@r", queue.Id);
        return (long)command.ExecuteScalar()!;
    }

    private static void AddCounter(SqliteConnection connection, SqliteTransaction transaction, RecipientQueue queue, string column, long n)
    {
        using var command = Command(connection, $"UPDATE notify_recipients SET {column} = {column} + @n WHERE id = @r", transaction);
        command.Parameters.AddWithValue("@n", n);
        command.Parameters.AddWithValue("@r", queue.Id);
        command.ExecuteNonQuery();
    }

    private static void BindError(SqliteCommand command, RecipientQueue queue, FailureKind kind, string reason, DateTimeOffset now)
    {
        command.Parameters.AddWithValue("@t", now.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("@k", kind.Name());
        command.Parameters.AddWithValue("@e", reason);
        command.Parameters.AddWithValue("@r", queue.Id);
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    private static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = Command(connection, sql, transaction);
        command.ExecuteNonQuery();
    }
}

/// <summary>Another process delivers from the same queues.</summary>
public sealed class QueueBusyException(string path, Exception inner)
    : IOException($"{path}: another tocsin process is delivering notifications from this database (lock {NotificationQueue.LockPath(path)})", inner);
