using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace BackupControlPlane.Api.Data;

/// <summary>
/// <c>synchronous=NORMAL</c> is a per-connection setting in SQLite, so it is set on every connection the pool opens,
/// not once at start-up. With WAL it stays crash-safe (a power loss may lose the last commits, never corrupt the file)
/// and saves an fsync per commit.
/// </summary>
public sealed class SqliteConnectionSettings : DbConnectionInterceptor
{
    private const string Pragmas = "PRAGMA synchronous=NORMAL;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken ct = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(ct);
    }
}
