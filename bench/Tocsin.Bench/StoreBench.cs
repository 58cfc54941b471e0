using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Tocsin.Alerts;
using Tocsin.Checks;
using Tocsin.Notifications;
using Tocsin.Store;

namespace Tocsin.Bench;

/// <summary>
/// Alerts per second into the SQLite alert store: the alerts of a finished analysis (its database) are written
/// again into a new store, one Add each as the store writer does. The reference, in the same process, is SQLite
/// copying the same rows itself (INSERT … SELECT into the same schema and indexes, in transactions of the same size):
/// the ratio is what the managed side (reading the alert, binding its 30-odd columns) costs on top.
/// </summary>
public static class StoreBench
{
    public static int Run(string source)
    {
        var catalog = AlertTypeCatalog.Discover(typeof(Check).Assembly, typeof(SystemAlerts).Assembly);
        IReadOnlyList<Alert> alerts;
        using (var from = new SqliteAlertStore(source, catalog))
            alerts = from.Query(new AlertQuery { Limit = int.MaxValue, Ascending = true });
        var dir = Path.Combine(Path.GetTempPath(), "tocsin-store-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var batch = new SqliteAlertStoreOptions().BatchSize;
            Write(Path.Combine(dir, "warm.db"), catalog, alerts.Take(10_000));
            double store = Write(Path.Combine(dir, "store.db"), catalog, alerts);
            double sqlite = Copy(Path.Combine(dir, "copy.db"), catalog, source, batch);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"alerts={alerts.Count} batch={batch} store_alerts_per_s={alerts.Count / store:0} sqlite_copy_rows_per_s={alerts.Count / sqlite:0} vs_sqlite={sqlite / store:0.00}"));
            return 0;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    private static double Write(string path, AlertTypeCatalog catalog, IEnumerable<Alert> alerts)
    {
        using var store = new SqliteAlertStore(path, catalog);
        var clock = Stopwatch.StartNew();
        foreach (var alert in alerts)
            store.Add(alert);
        store.Flush();
        return clock.Elapsed.TotalSeconds;
    }

    private static double Copy(string path, AlertTypeCatalog catalog, string source, int batch)
    {
        // The store lays out the schema and the pragmas; SQLite then moves the rows on its own.
        using (new SqliteAlertStore(path, catalog))
        {
        }
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        Execute(connection, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536; PRAGMA wal_autocheckpoint = 16384");
        Execute(connection, $"ATTACH DATABASE '{source.Replace("'", "''", StringComparison.Ordinal)}' AS src");
        var tables = new List<string>();
        using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM src.sqlite_master WHERE type = 'table' AND name LIKE '%\\_alerts' ESCAPE '\\'";
            using var reader = list.ExecuteReader();
            while (reader.Read())
                tables.Add(reader.GetString(0));
        }
        var clock = Stopwatch.StartNew();
        foreach (var table in tables)
        {
            long max = Convert.ToInt64(Scalar(connection, $"SELECT ifnull(max(rowid), 0) FROM src.{table}"), CultureInfo.InvariantCulture);
            for (long low = 0; low < max; low += batch)
            {
                using var transaction = connection.BeginTransaction();
                using var insert = connection.CreateCommand();
                insert.Transaction = transaction;
                insert.CommandText = $"INSERT INTO main.{table} SELECT * FROM src.{table} WHERE rowid > {low} AND rowid <= {low + batch}";
                insert.ExecuteNonQuery();
                transaction.Commit();
            }
        }
        return clock.Elapsed.TotalSeconds;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
