using Microsoft.Data.Sqlite;

namespace BackupControlPlane.Api.Infrastructure;

/// <summary>
/// Puts Hangfire's SQLite storage back in order after a kill, before the Hangfire server starts. A SQLite file has
/// exactly one service process (docs/several-nodes.md), so at start-up nothing else is using it. Two things a dead
/// process leaves behind:
/// <list type="bullet">
/// <item>Jobs it had fetched. The storage hides a fetched job from other workers until its invisibility timeout (30 min)
/// runs out and never renews it, so a job the dead process was running (a transfer to the vault, a restore, a slot) would
/// wait that long. Every fetched job belongs to the dead process: all are handed back.</item>
/// <item>State changes cut in half. The storage commits a Hangfire transaction one statement at a time, not as one
/// database transaction, so a kill between them can leave a job Scheduled but out of the "schedule" set (a change
/// Scheduled → Scheduled removes the entry, then adds it back: what <see cref="ExpressJobs"/> does to claim a job) or
/// Enqueued with no queue entry. Hangfire's pollers read only the set and the queue, so such a job never runs — seen as a
/// transfer to the vault stuck InProgress after a whole-tree kill. Each gets its entry back, from its state's own data.</item>
/// <item>Distributed locks it held, which would otherwise delay this process until they expire.</item>
/// </list>
/// The jobs are idempotent (at least once is their contract), so running one again is harmless.
/// </summary>
public static class HangfireSqliteRecovery
{
    public sealed record Result(int Released, int Rescheduled, int Requeued, int LocksFreed)
    {
        public bool Any => Released + Rescheduled + Requeued + LocksFreed > 0;
    }

    public static Result Recover(string databasePath)
    {
        if (!File.Exists(databasePath)) return new(0, 0, 0, 0);
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = false }.ToString());
        connection.Open();
        try
        {
            using var transaction = connection.BeginTransaction();
            var result = new Result(
                // The package stores DateTime as ticks and marks a job not fetched with DateTime.MinValue (0).
                Execute(connection, transaction, "UPDATE JobQueue SET FetchedAt = 0 WHERE FetchedAt IS NOT 0"),
                // Score: the time to enqueue in Unix seconds, as Hangfire's ScheduledState handler writes it. Its state
                // data holds that time in milliseconds (data compatibility 1.8, the service's) or as an ISO string
                // (older levels); without either, now. ExpireAt 0 is the package's "never".
                Execute(connection, transaction, """
                    INSERT INTO "Set" (Key, Score, Value, ExpireAt)
                    SELECT 'schedule',
                           COALESCE(CASE WHEN at NOT GLOB '*[^0-9]*' THEN CAST(at AS REAL) / 1000.0 ELSE CAST(strftime('%s', at) AS REAL) END,
                                    CAST(strftime('%s', 'now') AS REAL)),
                           CAST(JobId AS TEXT), 0
                    FROM (SELECT j.Id AS JobId, json_extract(s.Data, '$.EnqueueAt') AS at
                          FROM Job j LEFT JOIN State s ON s.Id = (SELECT MAX(Id) FROM State WHERE JobId = j.Id AND Name = 'Scheduled')
                          WHERE j.StateName = 'Scheduled')
                    WHERE NOT EXISTS (SELECT 1 FROM "Set" e WHERE e.Key = 'schedule' AND e.Value = CAST(JobId AS TEXT))
                    """),
                Execute(connection, transaction, """
                    INSERT INTO JobQueue (JobId, Queue, FetchedAt)
                    SELECT j.Id, COALESCE(json_extract(s.Data, '$.Queue'), 'default'), 0
                    FROM Job j LEFT JOIN State s ON s.Id = (SELECT MAX(Id) FROM State WHERE JobId = j.Id AND Name = 'Enqueued')
                    WHERE j.StateName = 'Enqueued' AND NOT EXISTS (SELECT 1 FROM JobQueue q WHERE q.JobId = j.Id)
                    """),
                // Its locks too (a job's state lock, the schedule poller's): held by nobody now, they would still make this
                // process wait out their lifetime before it could change that job's state or poll the schedule.
                Execute(connection, transaction, "DELETE FROM DistributedLock"));
            transaction.Commit();
            return result;
        }
        catch (SqliteException e) when (e.Message.Contains("no such table", StringComparison.Ordinal))
        {
            return new(0, 0, 0, 0); // a file Hangfire has not set up yet
        }
    }

    private static int Execute(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command.ExecuteNonQuery();
    }
}
