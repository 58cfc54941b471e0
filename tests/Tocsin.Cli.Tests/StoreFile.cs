using Microsoft.Data.Sqlite;
using Tocsin.Cli.Commands;
using Tocsin.Store;

namespace Tocsin.Cli.Tests;

/// <summary>Alert store files for the commands to meet: empty, or changed behind the store's back.</summary>
internal static class StoreFile
{
    /// <summary>Creates an empty store at <paramref name="path"/>, then runs <paramref name="sql"/> on it, if any.</summary>
    public static void Create(string path, string? sql = null)
    {
        using (new SqliteAlertStore(path, StoredAlertTypes.Discover()))
        {
        }
        if (sql is null)
            return;
        using var connection = new SqliteConnection($"Data Source={path};Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
