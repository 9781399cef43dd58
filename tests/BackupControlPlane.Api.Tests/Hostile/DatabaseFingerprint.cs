using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;

namespace BackupControlPlane.Api.Tests.Hostile;

/// <summary>
/// A SHA-256 over every row of every table of the service's SQLite database, read through its own read-only
/// connection (WAL: it sees exactly what is committed). The fuzzed database holds a few dozen rows, so one fingerprint
/// takes milliseconds and can be taken after every batch of requests.
/// Left out: the scheduler's own bookkeeping of a policy's next Hangfire slot, which the slot job writes in the
/// background after an accepted run-due has answered; it is not part of any resource a request can see.
/// </summary>
public sealed class DatabaseFingerprint(string databaseFile)
{
    /// <summary>The hash of everything, and per table its row count and hash (to say what changed).</summary>
    public async Task<(string Hash, Dictionary<string, (long Rows, string Hash)> Tables)> TakeAsync()
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databaseFile, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        }
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var rows = new Dictionary<string, (long, string)>();
        // One read transaction, so all tables are read at the same committed state.
        await using var tx = connection.BeginTransaction(deferred: true);
        foreach (var table in tables)
        {
            await using var select = connection.CreateCommand();
            select.CommandText = $"SELECT * FROM \"{table}\" ORDER BY rowid";
            await using var reader = await select.ExecuteReaderAsync();
            long count = 0;
            using var tableHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            hash.AppendData(Encoding.UTF8.GetBytes("\u0001" + table));
            while (await reader.ReadAsync())
            {
                count++;
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    if (Background.Contains($"{table}.{reader.GetName(i)}")) continue;
                    var value = Encoding.UTF8.GetBytes("\u0002" + Text(reader, i));
                    hash.AppendData(value);
                    tableHash.AppendData(value);
                }
            }
            rows[table] = (count, Convert.ToHexString(tableHash.GetHashAndReset()));
        }
        return (Convert.ToHexString(hash.GetHashAndReset()), rows);
    }

    private static readonly HashSet<string> Background = ["BackupPolicies.NextSlotUtc", "BackupPolicies.NextSlotJobId"];

    private static string Text(SqliteDataReader reader, int i) => reader.IsDBNull(i) ? "\u0000" : reader.GetValue(i) switch
    {
        byte[] bytes => Convert.ToHexString(bytes),
        var v => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) ?? "",
    };
}
