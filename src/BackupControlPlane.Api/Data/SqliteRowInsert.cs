using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace BackupControlPlane.Api.Data;

/// <summary>
/// Inserts one new row inside a write turn on SQLite's kept write connection (<see cref="SqliteWriteConnection"/>),
/// without SaveChanges: a statement built once per entity type from EF's model (its table, columns and their type
/// mappings, so values are stored exactly as EF stores them), run by the connection's kept, prepared command. For the
/// hot inserts whose rows nothing reads back in the same request (enable's item, job and operation): EF's SaveChanges
/// spent more CPU per enable (change detection, batching, SQL generation, per save) than SQLite spent on the inserts,
/// all of it inside the write turn (docs/performance.md). The row is not tracked afterwards. A store-generated integer
/// key (an autoincrement id) is read back (RETURNING) into the entity. Anything else (PostgreSQL, no write turn, an
/// entity type with shadow properties or database defaults) answers false, and the caller saves through EF as before.
/// Jobs inserted here are counted by <see cref="JobMetrics"/> as a saved job is: at the commit of their transaction.
/// </summary>
internal static class SqliteRowInsert
{
    private sealed record Column(IProperty Property, RelationalTypeMapping Mapping);

    private sealed record Plan(string Sql, Column[] Columns, PropertyInfo? Generated, IProperty? GuidKey);

    // Per model entity type; null: a type this cannot insert (EF saves it).
    private static readonly ConcurrentDictionary<IEntityType, Plan?> Plans = new();

    public static bool TryInsert<T>(BackupDbContext db, T entity) where T : class
    {
        if (SqliteWriteGate.WriterFor(db) is not { } writer || !ReferenceEquals(db.Database.GetDbConnection(), writer.Connection)
            || db.Database.CurrentTransaction?.GetDbTransaction() is not SqliteTransaction transaction
            || db.Model.FindEntityType(typeof(T)) is not { } type
            || Plans.GetOrAdd(type, Build) is not { } plan)
            return false;
        // A Guid key left empty is one EF would generate: not done here.
        if (plan.GuidKey?.GetGetter().GetClrValueUsingContainingEntity(entity) is Guid id && id == Guid.Empty) return false;
        using var command = writer.Connection.CreateCommand();
        command.CommandText = plan.Sql;
        command.Transaction = transaction;
        for (var i = 0; i < plan.Columns.Length; i++)
        {
            var (property, mapping) = plan.Columns[i];
            command.Parameters.Add(mapping.CreateParameter(command, "@p" + i, property.GetGetter().GetClrValueUsingContainingEntity(entity), property.IsNullable));
        }
        if (!writer.TryExecuteScalar(command, out var key)) key = command.ExecuteScalar();
        if (plan.Generated is { } generated) generated.SetValue(entity, Convert.ChangeType(key, generated.PropertyType, System.Globalization.CultureInfo.InvariantCulture));
        if (typeof(T) == typeof(BackupJob)) JobMetrics.Inserted(db, (BackupJob)(object)entity);
        return true;
    }

    private static Plan? Build(IEntityType type)
    {
        if (type.GetTableName() is not { } table || type.BaseType is not null || type.GetDerivedTypes().Any()) return null;
        var store = StoreObjectIdentifier.Table(table, type.GetSchema());
        var columns = new List<Column>();
        PropertyInfo? generated = null;
        IProperty? guidKey = null;
        foreach (var property in type.GetProperties())
        {
            if (property.IsShadowProperty() || property.PropertyInfo is null || property.GetDefaultValueSql() is not null
                || property.GetComputedColumnSql() is not null || property.TryGetDefaultValue(out _))
                return null;
            if (property.ValueGenerated != ValueGenerated.Never)
            {
                // Only the autoincrement key, which SQLite assigns; a client-generated one (a Guid) is set by the code.
                if (property.IsPrimaryKey() && property.ClrType == typeof(long) && property.ValueGenerated == ValueGenerated.OnAdd && generated is null)
                {
                    generated = property.PropertyInfo;
                    continue;
                }
                if (!property.IsPrimaryKey() || property.ClrType != typeof(Guid)) return null;
                guidKey = property;
            }
            if (property.GetColumnName(store) is not { } name || property.FindRelationalTypeMapping(store) is not { } mapping) return null;
            columns.Add(new Column(property, mapping));
        }
        var names = string.Join(", ", columns.Select(c => Quote(c.Property.GetColumnName(store)!)));
        var values = string.Join(", ", columns.Select((_, i) => "@p" + i));
        var sql = $"INSERT INTO {Quote(table)} ({names}) VALUES ({values})" + (generated is null ? ";" : $" RETURNING {Quote(type.FindPrimaryKey()!.Properties[0].GetColumnName(store)!)};");
        return new Plan(sql, [.. columns], generated, guidKey);
    }

    private static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
