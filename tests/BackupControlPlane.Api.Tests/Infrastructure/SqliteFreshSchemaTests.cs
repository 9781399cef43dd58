using System.Collections.Concurrent;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BackupControlPlane.Api.Tests.Infrastructure;

/// <summary>
/// src/BackupControlPlane.Api/Data/Migrations/FreshDatabase.sql, the schema a new SQLite database gets in one step
/// (Data/SqliteFreshSchema), is what the SQLite migrations generate today, and builds what MigrateAsync builds. After
/// a new migration, run these tests once with UPDATE_FRESH_SCHEMA=1 to rewrite it.
/// </summary>
public sealed class SqliteFreshSchemaTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bcp-fresh-schema-").FullName;

    [Fact]
    public void The_checked_in_script_is_what_the_migrations_generate()
    {
        using var db = Context(Path.Combine(_dir, "unused.db"));
        var generated = db.GetService<IMigrator>().GenerateScript(options: MigrationsSqlGenerationOptions.NoTransactions).ReplaceLineEndings("\n");
        var file = Path.Combine(OpenApiDocumentTests.RepositoryRoot(), "src", "BackupControlPlane.Api", "Data", "Migrations", "FreshDatabase.sql");
        if (Environment.GetEnvironmentVariable("UPDATE_FRESH_SCHEMA") == "1")
        {
            File.WriteAllText(file, generated);
            return; // the build embeds it: the next build's run checks the rest
        }
        Assert.True(File.Exists(file), "Data/Migrations/FreshDatabase.sql is missing; run the tests once with UPDATE_FRESH_SCHEMA=1.");
        Assert.Equal(File.ReadAllText(file).ReplaceLineEndings("\n"), generated);
        // The build embeds the file: the service runs what is checked in (a stale build fails here too).
        Assert.Equal(generated, SqliteFreshSchema.Script().ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task The_script_builds_what_MigrateAsync_builds_and_both_migrate_alike()
    {
        var scripted = Path.Combine(_dir, "scripted.db");
        var migrated = Path.Combine(_dir, "migrated.db");
        await using (var connection = new SqliteConnection($"Data Source={scripted};Pooling=false"))
        {
            await connection.OpenAsync();
            Assert.True(await SqliteFreshSchema.CreateIfEmptyAsync(connection, CancellationToken.None));
            Assert.False(await SqliteFreshSchema.CreateIfEmptyAsync(connection, CancellationToken.None)); // a schema is there now
        }
        await using (var db = Context(migrated)) await db.Database.MigrateAsync();
        Assert.Equal(await SchemaAsync(migrated), await SchemaAsync(scripted));

        // Both are then existing databases to MigrateAsync: nothing pending, and it leaves them the same.
        foreach (var file in new[] { scripted, migrated })
        {
            await using var db = Context(file);
            Assert.Empty(await db.Database.GetPendingMigrationsAsync());
            Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
            await db.Database.MigrateAsync();
        }
        Assert.Equal(await SchemaAsync(migrated), await SchemaAsync(scripted));
    }

    [Fact]
    public void The_migration_ids_read_from_the_attributes_are_the_ones_MigrateAsync_knows()
    {
        using var db = Context(Path.Combine(_dir, "unused.db"));
        Assert.Equal(db.Database.GetMigrations(), SqliteFreshSchema.MigrationIds);
    }

    [Fact]
    public async Task A_current_database_starts_without_MigrateAsync_and_an_older_one_still_migrates()
    {
        var file = Path.Combine(_dir, "restart.db");
        var first = await StartMigratorAsync(file); // new: the script
        Assert.DoesNotContain(first, l => l.Contains(" Microsoft.EntityFrameworkCore.Migrations", StringComparison.Ordinal));
        var restart = await StartMigratorAsync(file); // current: neither the script nor MigrateAsync
        Assert.Contains(restart, l => l.Contains("no migration to apply", StringComparison.Ordinal));
        Assert.DoesNotContain(restart, l => l.Contains(" Microsoft.EntityFrameworkCore.Migrations", StringComparison.Ordinal));

        // An older database (the newest migration not applied yet) is MigrateAsync's, which applies the newest.
        var older = Path.Combine(_dir, "older.db");
        var newest = SqliteFreshSchema.MigrationIds[^1];
        await using (var db = Context(older)) await db.GetService<IMigrator>().MigrateAsync(SqliteFreshSchema.MigrationIds[^2]);
        await using (var connection = new SqliteConnection($"Data Source={older};Pooling=false"))
        {
            await connection.OpenAsync();
            Assert.False(await SqliteFreshSchema.IsCurrentAsync(connection, CancellationToken.None));
        }
        var upgrade = await StartMigratorAsync(older);
        Assert.Contains(upgrade, l => l.Contains(" Microsoft.EntityFrameworkCore.Migrations", StringComparison.Ordinal) && l.Contains(newest, StringComparison.Ordinal));
        await using (var db = Context(older)) Assert.Equal(SqliteFreshSchema.MigrationIds, await db.Database.GetAppliedMigrationsAsync());
        Assert.Equal(await SchemaAsync(file), await SchemaAsync(older));
    }

    // DatabaseMigrator as the service starts it, on its own container; returns "LEVEL category: message" of every log line.
    private static async Task<List<string>> StartMigratorAsync(string file)
    {
        var lines = new ConcurrentQueue<string>();
        var services = new ServiceCollection()
            .AddLogging(b => b.AddProvider(new CapturedLogs(lines)).SetMinimumLevel(LogLevel.Debug))
            .AddDbContext<BackupDbContext>(o => o.UseSqlite($"Data Source={file};Pooling=false"));
        await using var provider = services.BuildServiceProvider();
        await ActivatorUtilities.CreateInstance<DatabaseMigrator>(provider).StartAsync(CancellationToken.None);
        return [.. lines];
    }

    private static BackupDbContext Context(string file) =>
        new(new DbContextOptionsBuilder<BackupDbContext>().UseSqlite($"Data Source={file};Pooling=false").Options);

    // Every table, index and trigger with its SQL, and the history's ids (not its product versions, which are the same).
    private static async Task<List<string>> SchemaAsync(string file)
    {
        await using var connection = new SqliteConnection($"Data Source={file};Pooling=false");
        await connection.OpenAsync();
        var rows = new List<string>();
        foreach (var sql in new[]
                 {
                     // MigrateAsync's lock table comes and goes with each run (EF Core 9+); the script needs none.
                     "SELECT type || ' ' || name || ' ' || tbl_name || ': ' || coalesce(sql, '') FROM sqlite_master WHERE name <> '__EFMigrationsLock' ORDER BY type, name",
                     "SELECT 'history ' || MigrationId FROM __EFMigrationsHistory ORDER BY MigrationId",
                 })
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) rows.Add(reader.GetString(0));
        }
        return rows;
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
