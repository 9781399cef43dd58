using System.Reflection;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace BackupControlPlane.Api.Data;

/// <summary>
/// A fresh SQLite database's whole schema in one step: the script EF Core generates from the SQLite migrations
/// (Data/Migrations/FreshDatabase.sql, embedded; SqliteFreshSchemaTests proves it is what the migrations generate
/// today and builds the same schema as MigrateAsync), history rows included, run in one transaction. MigrateAsync on
/// an empty file was most of a cold start (issue 22): before its first statement it builds the design-time model and
/// the snapshot's to look for model changes no migration covers, and then each migration's target model. A database
/// that has any schema is left to MigrateAsync, unless its history already holds exactly the migrations this build
/// knows (<see cref="IsCurrentAsync"/>): MigrateAsync builds the same models to find nothing to do, on every restart.
/// </summary>
public static class SqliteFreshSchema
{
    public const string ResourceName = "BackupControlPlane.Api.Data.Migrations.FreshDatabase.sql";

    public static string Script()
    {
        using var stream = typeof(SqliteFreshSchema).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"{ResourceName} is not embedded.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Runs the script when the database has no schema at all; false (nothing done) when it has one.</summary>
    public static async Task<bool> CreateIfEmptyAsync(SqliteConnection connection, CancellationToken ct)
    {
        // As MigrateAsync does around the table rebuilds the script contains; a no-op inside the transaction, so here.
        await ExecuteAsync(connection, null, "PRAGMA foreign_keys = 0;", ct);
        try
        {
            // BEGIN IMMEDIATE: two processes starting on one new file take turns; the second then finds the schema.
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(System.Data.IsolationLevel.Serializable, ct);
            await using (var count = connection.CreateCommand())
            {
                count.Transaction = transaction;
                count.CommandText = "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%';";
                if ((long)(await count.ExecuteScalarAsync(ct))! != 0) return false;
            }
            await ExecuteAsync(connection, transaction, Script(), ct);
            await transaction.CommitAsync(ct);
            return true;
        }
        finally
        {
            await ExecuteAsync(connection, null, "PRAGMA foreign_keys = 1;", CancellationToken.None);
        }
    }

    /// <summary>
    /// The SQLite migrations' ids, as MigrateAsync finds them (a <see cref="Migration"/> with this context's
    /// <see cref="DbContextAttribute"/>), read from the attributes alone: no EF Core model is built for them.
    /// </summary>
    public static IReadOnlyList<string> MigrationIds => Ids.Value;

    private static readonly Lazy<IReadOnlyList<string>> Ids = new(() => typeof(BackupDbContext).Assembly.GetTypes()
        .Where(t => t.IsSubclassOf(typeof(Migration)) && t.GetCustomAttribute<DbContextAttribute>()?.ContextType == typeof(BackupDbContext))
        .Select(t => t.GetCustomAttribute<MigrationAttribute>()?.Id).OfType<string>().Order(StringComparer.Ordinal).ToList());

    /// <summary>
    /// True when the database's migration history holds exactly <see cref="MigrationIds"/>: nothing for MigrateAsync to
    /// apply. False for anything else (no history table, a migration missing, one this build does not know).
    /// </summary>
    public static async Task<bool> IsCurrentAsync(SqliteConnection connection, CancellationToken ct)
    {
        var applied = new List<string>();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT \"MigrationId\" FROM \"__EFMigrationsHistory\";";
        try
        {
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) applied.Add(reader.GetString(0));
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 1) // SQLITE_ERROR: no such table (a schema EF never migrated)
        {
            return false;
        }
        return applied.Order(StringComparer.Ordinal).SequenceEqual(MigrationIds, StringComparer.Ordinal);
    }

    private static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(ct);
    }
}
