using System.Globalization;
using System.Text.Json.Nodes;
using Npgsql;

namespace BackupControlPlane.Benchmarks.Harness;

/// <summary>
/// What the service asked of PostgreSQL during a measurement, from pg_stat_statements (loaded by <see cref="BenchPostgres"/>
/// when its binaries have it): statements executed (BEGIN and COMMIT included), transactions, and the statements that
/// were executed most and took the server's time most, per unit of work (a VM backed up, a request). Nothing when the
/// extension is not loaded (a server given by BCP_BENCH_POSTGRES without it).
/// </summary>
public static class PgStatements
{
    /// <summary>Zeroes the counts of the server (every database); false when pg_stat_statements is not loaded.</summary>
    public static async Task<bool> ResetAsync(string database)
    {
        try
        {
            await using var connection = new NpgsqlConnection(database);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS pg_stat_statements; SELECT pg_stat_statements_reset(); SELECT pg_stat_reset();", connection);
            await command.ExecuteNonQueryAsync();
            return true;
        }
        catch (PostgresException e) when (e.SqlState is "55000" or "58P01" or "42501") { return false; } // not preloaded, not installed, not allowed
    }

    /// <summary>The counts since <see cref="ResetAsync"/> in this database, per <paramref name="units"/> (e.g. VMs backed up).</summary>
    public static async Task<JsonObject> ReadAsync(string database, double units, int top = 15)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        var result = new JsonObject();
        double Per(double v) => Math.Round(v / units, 2);
        await using (var totals = new NpgsqlCommand(
            "SELECT coalesce(sum(calls), 0)::float8, coalesce(sum(total_exec_time), 0)::float8, coalesce(sum(rows), 0)::float8 FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = current_database();" +
            "SELECT xact_commit::float8, xact_rollback::float8 FROM pg_stat_database WHERE datname = current_database()", connection))
        await using (var reader = await totals.ExecuteReaderAsync())
        {
            await reader.ReadAsync();
            result["statements"] = reader.GetDouble(0);
            result["statementsPerUnit"] = Per(reader.GetDouble(0));
            result["execMsPerUnit"] = Per(reader.GetDouble(1));
            result["rowsPerUnit"] = Per(reader.GetDouble(2));
            await reader.NextResultAsync();
            await reader.ReadAsync();
            result["commitsPerUnit"] = Per(reader.GetDouble(0));
            result["rollbacksPerUnit"] = Per(reader.GetDouble(1));
        }
        foreach (var (key, order) in new[] { ("byCalls", "calls"), ("byTime", "total_exec_time") })
        {
            var list = new JsonArray();
            await using var command = new NpgsqlCommand(
                $"SELECT calls::float8, total_exec_time, rows::float8, left(regexp_replace(query, '\\s+', ' ', 'g'), 240) FROM pg_stat_statements s " +
                $"JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = current_database() ORDER BY {order} DESC LIMIT {top}", connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                list.Add(new JsonObject
                {
                    ["perUnit"] = Per(reader.GetDouble(0)),
                    ["msPerUnit"] = Math.Round(reader.GetDouble(1) / units, 3),
                    ["rowsPerCall"] = Math.Round(reader.GetDouble(2) / Math.Max(1, reader.GetDouble(0)), 2),
                    ["query"] = reader.GetString(3),
                });
            result[key] = list;
        }
        return result;
    }

    /// <summary>One line for the console: statements and commits per unit, and the most executed statements.</summary>
    public static string Describe(JsonObject counts, string unit) =>
        string.Create(CultureInfo.InvariantCulture, $"{counts["statementsPerUnit"]} statements, {counts["commitsPerUnit"]} commits, {counts["execMsPerUnit"]} ms of execution per {unit}; most executed:\n") +
        string.Join("\n", counts["byCalls"]!.AsArray().Take(10).Select(s => $"      {s!["perUnit"],7} × {s["query"]!.GetValue<string>()[..Math.Min(150, s["query"]!.GetValue<string>().Length)]}"));
}
