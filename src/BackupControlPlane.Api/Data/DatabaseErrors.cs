using System.Data.Common;

namespace BackupControlPlane.Api.Data;

/// <summary>What a database exception means for the client: a lost race (retry decides it) or a refusal (an outage).</summary>
public static class DatabaseErrors
{
    /// <summary>
    /// PostgreSQL aborted this transaction because a concurrent one won: serialization failure, deadlock, or a unique key
    /// the other inserted first. Run again, the request sees the winner's work. (SQLite serialises writers instead.)
    /// </summary>
    public static bool IsLostRace(Exception e) =>
        Find<Npgsql.PostgresException>(e)?.SqlState is "40001" or "40P01" or "23505";

    /// <summary>A lost race, or a unique key or foreign key SQLite refused: the request conflicts with the data, it is no outage.</summary>
    public static bool IsConflict(Exception e) =>
        IsLostRace(e) || Find<Microsoft.Data.Sqlite.SqliteException>(e)?.SqliteErrorCode == 19;

    public static DbException? Refusal(Exception e) => Find<DbException>(e);

    /// <summary>SQLite's own words ("disk I/O error") do not tell an operator where to look.</summary>
    public static string Hint(DbException e) => (e as Microsoft.Data.Sqlite.SqliteException)?.SqliteErrorCode switch
    {
        5 or 6 => " (the database file is locked by another process)",
        8 => " (the database file is read-only)",
        10 => " (the database file could not be written: read-only, disk full or failing)",
        13 => " (the disk holding the database is full)",
        _ => "",
    };

    private static T? Find<T>(Exception? e) where T : Exception
    {
        for (; e is not null; e = e.InnerException)
            if (e is T found) return found;
        return null;
    }
}
