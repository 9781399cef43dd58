using BackupControlPlane.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Infrastructure;

/// <summary>Applies EF Core migrations at start-up, before the server takes requests, and switches SQLite to WAL.</summary>
public sealed class DatabaseMigrator(IServiceScopeFactory scopes, ILogger<DatabaseMigrator> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BackupDbContext>();
        await db.Database.MigrateAsync(ct);
        if (db.Database.IsSqlite())
        {
            // WAL (a property of the database file): readers never block the writer and concurrent writers do not fail
            // with "database is locked" (measured here). synchronous=NORMAL is per connection: SqliteConnectionSettings.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
        }
        logger.LogInformation("Database ready");
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
