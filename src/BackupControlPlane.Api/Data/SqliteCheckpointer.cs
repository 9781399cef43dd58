using BackupControlPlane.Api.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Data;

/// <summary>
/// Copies the SQLite WAL back into the database file in the background. SQLite's own automatic checkpoint runs inside
/// the commit that takes the WAL past 1,000 pages: that writer copies the pages and syncs the file while it holds the
/// write lock, and so this process's write gate (<see cref="SqliteWriteGate"/>), every ~70 enables. Here a PASSIVE
/// checkpoint runs on its own connection after writes, beside the writers (it takes no write lock and waits for
/// nobody). Writers still checkpoint themselves once the WAL is past <see cref="Backstop"/> pages
/// (<see cref="SqliteConnectionSettings"/>), so the WAL stays bounded if this falls behind or stops. Crash safety is
/// the WAL's either way: a commit is in the WAL before it is acknowledged, whoever copies it on later.
/// </summary>
public sealed class SqliteCheckpointer(IServiceScopeFactory scopes, TransportClock clock, ILogger<SqliteCheckpointer> logger) : BackgroundService
{
    /// <summary>The pages past which a committing writer checkpoints itself (SQLite's default is 1,000).</summary>
    public const int Backstop = 8_000;

    // Often enough that a busy WAL stays well under the backstop (~8,000 pages a second under the enable load), seldom
    // enough that an idle service does nothing: it runs only when a write turn ended since the last one.
    private static readonly TimeSpan Every = TimeSpan.FromMilliseconds(100);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The wire's clock, not the app's TimeProvider: this is I/O housekeeping, which a test's frozen clock must not stop.
        using var timer = new PeriodicTimer(Every, clock.Time);
        try
        {
            await CheckpointAfterWritesAsync(timer, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task CheckpointAfterWritesAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        // Resolved at the first tick, not at start: a context now would build the EF model on the start's critical path.
        if (!await timer.WaitForNextTickAsync(stoppingToken)) return;
        string connectionString;
        SqliteWriteGate.Database? writes;
        using (var scope = scopes.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<BackupDbContext>();
            connectionString = db.Database.GetDbConnection().ConnectionString;
            writes = SqliteWriteGate.WritesOf(db);
        }
        if (writes is null) return;
        var seen = 0L;
        await using var connection = new SqliteConnection(connectionString);
        do
        {
            var now = Volatile.Read(ref writes.Writes);
            if (now == seen) continue;
            seen = now;
            try
            {
                if (connection.State != System.Data.ConnectionState.Open) await connection.OpenAsync(stoppingToken);
                await using var checkpoint = connection.CreateCommand();
                checkpoint.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
                await checkpoint.ExecuteNonQueryAsync(stoppingToken);
            }
            catch (SqliteException e)
            {
                // Busy (a writer's backstop checkpoint running) or the file gone (a wipe): the next tick tries again.
                logger.LogDebug("Background WAL checkpoint skipped: {Message}", e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
