using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Tocsin.Store;

/// <summary>
/// One table's INSERT prepared on the store's connection and bound by position. Microsoft.Data.Sqlite resolves every
/// parameter by name on each execution and builds a reader per statement: on a busy capture that was three quarters
/// of the store's time, so the hot insert goes through the raw handle (it joins the connection's open transaction).
/// </summary>
internal sealed class PreparedInsert : IDisposable
{
    private readonly sqlite3 db;
    private readonly sqlite3_stmt statement;

    public PreparedInsert(SqliteConnection connection, string sql)
    {
        db = connection.Handle!;
        var rc = raw.sqlite3_prepare_v2(db, sql, out statement);
        SqliteException.ThrowExceptionForRC(rc, db);
    }

    /// <summary>Inserts one row and returns its rowid.</summary>
    public long Execute(Cell[] values)
    {
        try
        {
            for (var i = 0; i < values.Length; i++)
            {
                var value = values[i];
                int index = i + 1;
                Check(value.IsNull ? raw.sqlite3_bind_null(statement, index)
                    : value.Text is { } text ? raw.sqlite3_bind_text(statement, index, text)
                    : raw.sqlite3_bind_int64(statement, index, value.Integer));
            }
            var rc = raw.sqlite3_step(statement);
            if (rc != raw.SQLITE_DONE)
                SqliteException.ThrowExceptionForRC(rc, db);
            return raw.sqlite3_last_insert_rowid(db);
        }
        finally
        {
            raw.sqlite3_reset(statement);
        }
    }

    public void Dispose() => statement.Dispose();

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
            SqliteException.ThrowExceptionForRC(rc, db);
    }
}
