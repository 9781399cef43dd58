using System.Net;
using BackupControlPlane.Api.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BackupControlPlane.Api.Tests.Infrastructure;

/// <summary>The WAL is copied into the database file in the background, and writers still checkpoint past the backstop.</summary>
public sealed class SqliteCheckpointerTests
{
    [Fact]
    public async Task A_commit_reaches_the_database_file_without_a_writer_checkpointing_and_writers_keep_the_backstop()
    {
        await using var app = await EmulatorApp.StartAsync();
        await app.Arm.PutVaultAsync("rg-ckpt", "vault1");
        await app.Arm.PutVmAsync("rg-ckpt", "vm1", dataDisks: 0);
        using (var put = await app.Arm.EnableProtectionAsync("rg-ckpt", "vault1", "vm1")) Assert.Equal(HttpStatusCode.Accepted, put.StatusCode);

        // A handful of pages, far below any writer's automatic checkpoint: only the background checkpoint copies them
        // into the file. The file alone (its WAL left behind) shows the item once it has.
        var copy = Path.Combine(Path.GetTempPath(), $"bcp-ckpt-{Guid.NewGuid():N}.db");
        try
        {
            await Poll.Until(async () =>
            {
                File.Copy(app.DatabasePath, copy, overwrite: true);
                try
                {
                    await using var file = new SqliteConnection($"Data Source={copy};Pooling=False");
                    await file.OpenAsync();
                    await using var items = file.CreateCommand();
                    items.CommandText = "SELECT count(*) FROM ProtectedItems WHERE ContainerName LIKE '%;vm1'";
                    return (long)(await items.ExecuteScalarAsync())! == 1;
                }
                catch (SqliteException)
                {
                    return false; // copied while a checkpoint was writing the file: copy again
                }
            }, "the enabled item in the database file without its WAL");
        }
        finally
        {
            foreach (var file in new[] { copy, copy + "-wal", copy + "-shm" }) File.Delete(file);
        }

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BackupDbContext>();
        await db.Database.OpenConnectionAsync();
        await using var pragma = db.Database.GetDbConnection().CreateCommand();
        pragma.CommandText = "PRAGMA wal_autocheckpoint";
        Assert.Equal((long)SqliteCheckpointer.Backstop, (long)(await pragma.ExecuteScalarAsync())!);
    }
}
