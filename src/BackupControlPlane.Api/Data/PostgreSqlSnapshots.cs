using Npgsql;

namespace BackupControlPlane.Api.Data;

/// <summary>
/// PostgreSQL's answer to "has anything been committed since?", for <see cref="ReadCache"/> with several nodes: the text of
/// <c>pg_current_snapshot()</c> (xmin:xmax:in-progress xids). It changes whenever any transaction that wrote ends, on any
/// node (a write needs a transaction id; its commit moves xmax or leaves the in-progress list), and never otherwise; so a
/// kept answer read after snapshot S is current while the snapshot is still S. Also moved by writes that do not touch the
/// answer (Hangfire's, other databases'): those only cost a read. LISTEN/NOTIFY would not do: a notification arrives
/// after the commit, and a node could answer from memory in between a read that began after another node's commit.
/// <para>
/// One query at a time: requests asking while a query is on the wire share the next one, which starts after they asked
/// (the rule: no answer older than a commit made before its request began). Under load one round trip serves many
/// requests. Its own small pool, outside <see cref="PostgreSqlConnectionGate"/>: one connection at a time.
/// </para>
/// </summary>
public sealed class PostgreSqlSnapshots(string connectionString) : IAsyncDisposable
{
    private readonly NpgsqlDataSource _source = new NpgsqlDataSourceBuilder(
        new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = 2, NoResetOnClose = true, MaxAutoPrepare = 4 }.ConnectionString).Build();
    private readonly Lock _lock = new();
    private bool _busy;
    private TaskCompletionSource<string>? _next;

    /// <summary>The snapshot's text, from a query that started after this call.</summary>
    public Task<string> CurrentAsync()
    {
        lock (_lock)
        {
            if (_busy) return (_next ??= new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            _busy = true;
        }
        var mine = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = DriveAsync(mine);
        return mine.Task;
    }

    // Runs queries one after the other while requests keep asking: each answers those that asked before it started.
    private async Task DriveAsync(TaskCompletionSource<string>? current)
    {
        while (current is not null)
        {
            try
            {
                await using var command = _source.CreateCommand("SELECT pg_current_snapshot()::text");
                current.SetResult((string)(await command.ExecuteScalarAsync())!);
            }
            catch (Exception e) { current.SetException(e); } // observed by the requests (ReadCache then reads the database itself)
            lock (_lock)
            {
                current = _next;
                _next = null;
                if (current is null) _busy = false;
            }
        }
    }

    public ValueTask DisposeAsync() => _source.DisposeAsync();
}
