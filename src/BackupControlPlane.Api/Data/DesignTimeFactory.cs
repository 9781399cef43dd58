using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace BackupControlPlane.Api.Data;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without starting the service.</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<BackupDbContext>
{
    public BackupDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<BackupDbContext>().UseSqlite("Data Source=design-time.db").Options);
}
