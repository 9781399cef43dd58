using Microsoft.Data.Sqlite;

namespace BackupControlPlane.Api.Infrastructure;

/// <summary>
/// Hangfire's SQLite storage hides a fetched job from other workers until its invisibility timeout (30 min) runs out,
/// and never renews it. After a kill, a job the dead process was running (a transfer to the vault, a restore, a slot)
/// would wait that long. A SQLite file has exactly one service process (docs/several-nodes.md), so at
/// start-up every fetched job belongs to a process that is gone: hand them all back before the server starts. The jobs
/// are idempotent (at least once is their contract), so running one again is harmless.
/// </summary>
public static class HangfireSqliteRecovery
{
    public static int ReleaseJobsOfDeadProcess(string databasePath)
    {
        if (!File.Exists(databasePath)) return 0;
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        // The package stores DateTime as ticks and marks a job not fetched with DateTime.MinValue (0).
        command.CommandText = "UPDATE JobQueue SET FetchedAt = 0 WHERE FetchedAt IS NOT 0";
        try
        {
            return command.ExecuteNonQuery();
        }
        catch (SqliteException e) when (e.Message.Contains("no such table", StringComparison.Ordinal))
        {
            return 0; // a file Hangfire has not set up yet
        }
    }
}
