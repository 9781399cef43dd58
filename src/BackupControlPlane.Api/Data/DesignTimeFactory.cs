using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace BackupControlPlane.Api.Data;

/// <summary>
/// Lets <c>dotnet ef migrations add X --context BackupDbContext</c> build the SQLite model without starting the service.
/// </summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<BackupDbContext>
{
    public BackupDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<BackupDbContext>().UseSqlite("Data Source=design-time.db").Options);
}

/// <summary>
/// The same for PostgreSQL (<c>--context PostgreSqlBackupDbContext --output-dir Data/Migrations/PostgreSql</c>); adding
/// a migration needs no server, the connection string is never opened.
/// </summary>
public sealed class PostgreSqlDesignTimeFactory : IDesignTimeDbContextFactory<PostgreSqlBackupDbContext>
{
    public PostgreSqlBackupDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgreSqlBackupDbContext>().UseNpgsql("Host=localhost;Database=design_time").Options);
}
