using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;

namespace BackupControlPlane.Api.Tests.Scale;

/// <summary>
/// Both providers' migrations, each on a real empty database: every migration applies, and the model has no changes
/// that a migration does not cover yet (a forgotten <c>dotnet ef migrations add</c> for either provider fails here).
/// </summary>
public sealed class MigrationTests
{
    [Fact]
    public async Task Sqlite_migrations_build_an_empty_database_and_cover_the_model()
    {
        var file = Path.Combine(Path.GetTempPath(), $"bcp-migrations-{Guid.NewGuid():N}.db");
        try
        {
            await using var db = new BackupDbContext(new DbContextOptionsBuilder<BackupDbContext>().UseSqlite($"Data Source={file};Pooling=false").Options);
            await AssertMigratesAndCoversModelAsync(db);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task PostgreSql_migrations_build_an_empty_database_and_cover_the_model()
    {
        var connection = await SharedPostgres.NewDatabaseAsync("bcp_migrations");
        await using var db = new PostgreSqlBackupDbContext(new DbContextOptionsBuilder<PostgreSqlBackupDbContext>().UseNpgsql(connection).Options);
        await AssertMigratesAndCoversModelAsync(db);
    }

    [Fact]
    public void Each_provider_has_its_own_migrations()
    {
        static IReadOnlyCollection<string> Ids(DbContext db) => db.GetService<IMigrationsAssembly>().Migrations.Keys.ToList();
        using var sqlite = new BackupDbContext(new DbContextOptionsBuilder<BackupDbContext>().UseSqlite("Data Source=:memory:").Options);
        using var postgres = new PostgreSqlBackupDbContext(new DbContextOptionsBuilder<PostgreSqlBackupDbContext>().UseNpgsql("Host=unused").Options);
        Assert.NotEmpty(Ids(sqlite));
        Assert.NotEmpty(Ids(postgres));
        Assert.Empty(Ids(sqlite).Intersect(Ids(postgres)));
    }

    private static async Task AssertMigratesAndCoversModelAsync(BackupDbContext db)
    {
        await db.Database.MigrateAsync();
        Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
        Assert.False(db.Database.HasPendingModelChanges(), $"The {db.Database.ProviderName} model has changes no migration covers: run dotnet ef migrations add (docs/design.md).");
        // The schema works, not only exists: a row goes in and comes back with its ticks-stored time.
        var created = DateTimeOffset.UtcNow;
        db.Vaults.Add(new Vault { Key = "k", Name = "v", ResourceGroup = "rg", SubscriptionId = "s", Location = "eastus", SkuName = "Standard", CreatedAt = created });
        await db.SaveChangesAsync();
        db.ChangeTracker.Clear();
        Assert.Equal(created, (await db.Vaults.SingleAsync(v => v.CreatedAt <= created)).CreatedAt);
    }
}
