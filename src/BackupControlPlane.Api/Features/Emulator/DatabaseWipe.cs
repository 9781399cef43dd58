using BackupControlPlane.Api.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace BackupControlPlane.Api.Features.Emulator;

/// <summary>
/// Deletes every row of every table the model maps, in one transaction, dependents before their principals, so the
/// foreign keys hold at every statement on SQLite and PostgreSQL alike. The schema and its migration history stay.
/// </summary>
public static class DatabaseWipe
{
    private const int MaxAttempts = 5;

    /// <returns>The rows deleted.</returns>
    public static async Task<int> RunAsync(BackupDbContext db, CancellationToken ct)
    {
        // On PostgreSQL a serializable wipe can lose to a write the agents or the scheduler commit meanwhile (40001):
        // the wipe deletes everything whatever was there, so it is simply run again (seen under load as a reset's 409).
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await WipeAsync(db, ct);
            }
            catch (Exception e) when (attempt < MaxAttempts && DatabaseErrors.IsLostRace(e))
            {
                db.ChangeTracker.Clear();
            }
        }
    }

    private static async Task<int> WipeAsync(BackupDbContext db, CancellationToken ct)
    {
        var deleted = 0;
        await using var transaction = await SqliteWriteGate.BeginWriteAsync(db, System.Data.IsolationLevel.Serializable, ct);
        foreach (var table in TablesInDeleteOrder(db.Model))
        {
            var name = table.Schema is null ? Quote(table.Name) : $"{Quote(table.Schema)}.{Quote(table.Name)}";
#pragma warning disable EF1002 // table names come from the model, never from a request
            deleted += await db.Database.ExecuteSqlRawAsync($"DELETE FROM {name}", ct);
#pragma warning restore EF1002
        }
        await transaction.CommitAsync(ct);
        db.ChangeTracker.Clear();
        return deleted;

        // SQLite and PostgreSQL both take double-quoted identifiers, which keep their case.
        static string Quote(string identifier) => $"\"{identifier.Replace("\"", "\"\"")}\"";
    }

    /// <summary>Each table after every table holding a foreign key to it (a key within one table does not order it).</summary>
    public static IReadOnlyList<(string Name, string? Schema)> TablesInDeleteOrder(IModel model)
    {
        var tables = model.GetEntityTypes().Where(e => e.GetTableName() is not null && e.GetViewName() is null)
            .GroupBy(e => (Name: e.GetTableName()!, Schema: e.GetSchema()))
            .ToDictionary(g => g.Key, g => g.SelectMany(e => e.GetForeignKeys())
                .Select(fk => (Name: fk.PrincipalEntityType.GetTableName()!, Schema: fk.PrincipalEntityType.GetSchema())).ToHashSet());
        var order = new List<(string, string?)>();
        var remaining = tables.Keys.ToHashSet();
        while (remaining.Count > 0)
        {
            // Deletable now: no remaining other table refers to it.
            var next = remaining.Where(t => !remaining.Any(o => o != t && tables[o].Contains(t))).OrderBy(t => t.Name).ToList();
            if (next.Count == 0) throw new InvalidOperationException("The tables' foreign keys form a loop: " + string.Join(", ", remaining.Select(t => t.Name)));
            foreach (var t in next)
            {
                order.Add(t);
                remaining.Remove(t);
            }
        }
        return order;
    }
}
