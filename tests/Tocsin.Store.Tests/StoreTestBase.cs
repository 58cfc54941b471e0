using Microsoft.Data.Sqlite;
using Tocsin.Alerts;
using Tocsin.Testing;

namespace Tocsin.Store.Tests;

/// <summary>Gives each test its own database file and closes every store and connection it opened.</summary>
public abstract class StoreTestBase : IDisposable
{
    private readonly TempDirectory directory = new();
    private readonly List<IDisposable> opened = [];

    protected string DbPath => directory.File("alerts.db");

    protected string TempPath(params string[] parts) => Path.Combine([directory.Path, .. parts]);

    protected SqliteAlertStore Open(SqliteAlertStoreOptions? options = null, AlertTypeCatalog? catalog = null, string? path = null)
    {
        var store = new SqliteAlertStore(path ?? DbPath, catalog ?? TestAlerts.Catalog, options);
        opened.Add(store);
        return store;
    }

    /// <summary>A connection of its own on the file, to see what is really committed.</summary>
    protected SqliteConnection Raw()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DbPath, Pooling = false }.ToString());
        connection.Open();
        opened.Add(connection);
        return connection;
    }

    protected static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    protected long RawCount(string table) => (long)Scalar(Raw(), $"SELECT COUNT(*) FROM {table}")!;

    public void Dispose()
    {
        for (var i = opened.Count - 1; i >= 0; i--)
            opened[i].Dispose();
        directory.Dispose();
        GC.SuppressFinalize(this);
    }
}
