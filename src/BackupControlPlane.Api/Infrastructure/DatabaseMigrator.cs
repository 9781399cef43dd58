using BackupControlPlane.Api.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Sqlite.Infrastructure.Internal;

namespace BackupControlPlane.Api.Infrastructure;

/// <summary>Applies EF Core migrations at start-up, before the server takes requests, and switches SQLite to WAL.</summary>
public sealed class DatabaseMigrator(IServiceScopeFactory scopes, ILogger<DatabaseMigrator> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        // SQLite's connection string from the options, not from a context: the first context builds the EF model
        // (a second of a cold start), which a new database's script does not need; StartupWarmup builds it meanwhile.
#pragma warning disable EF1001 // the provider's options extension: public, marked internal-use
        var sqlite = scope.ServiceProvider.GetService<DbContextOptions<BackupDbContext>>()?.FindExtension<SqliteOptionsExtension>();
#pragma warning restore EF1001
        if (sqlite?.ConnectionString is { } connectionString)
        {
            await using var connection = new SqliteConnection(connectionString);
            await connection.OpenAsync(ct);
            // A new database gets the whole schema in one script (Data/SqliteFreshSchema); an existing one MigrateAsync,
            // unless its history shows nothing to apply (a restart: MigrateAsync would build the model and the
            // migrations' to find that out, on the start's critical path).
            if (await SqliteFreshSchema.CreateIfEmptyAsync(connection, ct)) logger.LogDebug("New database: schema created");
            else if (await SqliteFreshSchema.IsCurrentAsync(connection, ct)) logger.LogDebug("Database schema current: no migration to apply");
            else await scope.ServiceProvider.GetRequiredService<BackupDbContext>().Database.MigrateAsync(ct);
            // WAL (a property of the database file): readers never block the writer and concurrent writers do not fail
            // with "database is locked" (measured here). synchronous=NORMAL is per connection: SqliteConnectionSettings.
            await using var wal = connection.CreateCommand();
            wal.CommandText = "PRAGMA journal_mode=WAL;";
            await wal.ExecuteNonQueryAsync(ct);
        }
        else
        {
            var db = scope.ServiceProvider.GetRequiredService<BackupDbContext>();
            if (db.Database.IsNpgsql())
            {
                // Several nodes start at once: one migrates while the others wait on a session advisory lock, then find
                // nothing left to apply (otherwise two nodes both read the history and both ALTER the same table).
                await db.Database.OpenConnectionAsync(ct);
                try
                {
                    await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_lock(7262657374)", ct);
                    await db.Database.MigrateAsync(ct);
                    await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_unlock(7262657374)", ct);
                }
                finally
                {
                    // Released whatever happened: the pooled connection is not reset when it goes back (No Reset On Close).
                    try { await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_unlock_all()", CancellationToken.None); }
                    catch (Npgsql.NpgsqlException) { } // a broken connection holds no lock: the server ended its session
                    await db.Database.CloseConnectionAsync();
                }
            }
            else
            {
                await db.Database.MigrateAsync(ct);
                if (db.Database.IsSqlite()) await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
            }
        }
        logger.LogInformation("Database ready");
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
