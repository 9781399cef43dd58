using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace BackupControlPlane.Api.Data;

/// <summary>
/// The one connection every write turn of this process runs on (<see cref="SqliteWriteGate"/>), kept open with its
/// statements prepared. Microsoft.Data.Sqlite keeps a statement prepared while its command lives and its connection
/// stays open, but EF builds a new command for every execution and a pooled context closes its connection after each
/// request, so every statement was parsed, planned and compiled again per request: more of enable's SQLite time than
/// running it (docs/performance.md). Here a turn's context borrows this connection for the turn (its own connection is
/// kept aside, closed, and given back when the turn ends), and each command EF runs on it is run instead by a kept
/// command of the same SQL, already prepared. Only the holder of the write turn uses it, so one at a time.
/// </summary>
internal sealed class SqliteWriteConnection
{
    /// <summary>
    /// WAL frames after which a commit on this connection checkpoints (SQLite's default: 1,000). The checkpoint runs in
    /// the committing write turn, so every writer waits for it: it copies the WAL's pages into the database and fsyncs
    /// (5 % of an enable's CPU samples, every ~70 enables at 14 frames each). The same few pages (an index's last leaf,
    /// a table's) are written again by every insert, so a longer WAL copies each of them once for more commits: fewer
    /// pages and fsyncs per write. The WAL file grows to ~32 MiB (it is not truncated after a checkpoint). Crash safety is
    /// the same: committed frames are in the WAL either way.
    /// </summary>
    public const int CheckpointPages = 8192;

    // Plenty for the service's write paths; SQL beyond it (e.g. IN lists of every length) runs unprepared, as before.
    private const int MaxStatements = 256;

    private sealed class Kept(SqliteCommand command)
    {
        public readonly SqliteCommand Command = command;
        public DbCommand? ReaderOf; // EF's command whose reader this command's open reader is
    }

    private readonly BackupDbContext _holder;
    private readonly Dictionary<string, Kept> _kept = new(StringComparer.Ordinal);
    private readonly Dictionary<DbCommand, Kept> _readers = new(ReferenceEqualityComparer.Instance);

    /// <summary>Statements prepared and executions that reused one (for tests and diagnosis).</summary>
    public long Prepared, Reused;

    private SqliteWriteConnection(BackupDbContext holder, SqliteConnection connection)
    {
        _holder = holder;
        Connection = connection;
    }

    public SqliteConnection Connection { get; }

    /// <summary>
    /// Opens the connection through a context of the app's own options (not pooled, never used for anything else), so it
    /// is made as EF makes the pool's (its functions, timeout) and opened through the interceptors (synchronous=NORMAL).
    /// </summary>
    public static SqliteWriteConnection Open(BackupDbContext like)
    {
        var holder = new BackupDbContext((DbContextOptions<BackupDbContext>)like.GetService<IDbContextOptions>());
        holder.Database.OpenConnection();
        var connection = (SqliteConnection)holder.Database.GetDbConnection();
        using (var checkpoints = connection.CreateCommand())
        {
            checkpoints.CommandText = $"PRAGMA wal_autocheckpoint={CheckpointPages};";
            checkpoints.ExecuteNonQuery();
        }
        return new SqliteWriteConnection(holder, connection);
    }

    /// <summary>Points <paramref name="db"/> at this connection for its write turn, if its own is idle (closed, no transaction).</summary>
    public void Lend(BackupDbContext db)
    {
        var own = db.Database.GetDbConnection();
        if (ReferenceEquals(own, Connection) || own.State != ConnectionState.Closed || db.Database.CurrentTransaction is not null) return;
        // SetDbConnection disposes the context's own connection; SqliteWriteGate.ConnectionDisposing suppresses that for
        // the one kept aside here, which the context gets back at the end of the turn.
        db.KeptAside = own;
        db.Database.SetDbConnection(Connection, contextOwnsConnection: false);
    }

    /// <summary>Gives <paramref name="db"/> its own connection back (the end of its turn); a transaction left open here is rolled back.</summary>
    public void TakeBack(BackupDbContext db)
    {
        if (db.KeptAside is not { } own) return;
        db.KeptAside = null;
        db.Database.SetDbConnection(own, contextOwnsConnection: true);
        // A reader still open at the end of a turn (none should be) ends with its command: the next turn prepares it again.
        foreach (var kept in _readers.Values.ToList()) Forget(kept);
    }

    /// <summary>Runs <paramref name="command"/> as a reader on its kept command; null when it cannot (not this connection, that command busy).</summary>
    public SqliteDataReader? ExecuteReader(DbCommand command, CommandBehavior behavior)
    {
        if (Take(command) is not { } kept) return null;
        try
        {
            var reader = kept.Command.ExecuteReader(behavior);
            kept.ReaderOf = command;
            _readers[command] = kept;
            return reader;
        }
        catch
        {
            Forget(kept);
            throw;
        }
    }

    public bool TryExecuteNonQuery(DbCommand command, out int rows) => TryRun(command, static c => c.ExecuteNonQuery(), out rows);

    public bool TryExecuteScalar(DbCommand command, out object? value) => TryRun(command, static c => c.ExecuteScalar(), out value);

    // A statement that ends within the call (no reader left open): run it on the kept command and free that at once.
    private bool TryRun<T>(DbCommand command, Func<SqliteCommand, T> run, out T value)
    {
        value = default!;
        if (Take(command) is not { } kept) return false;
        try
        {
            value = run(kept.Command);
            kept.Command.Parameters.Clear();
            return true;
        }
        catch
        {
            Forget(kept);
            throw;
        }
    }

    /// <summary>EF disposed the reader of <paramref name="command"/>: its kept command is free again.</summary>
    public void ReaderDisposed(DbCommand command)
    {
        if (!_readers.Remove(command, out var kept)) return;
        kept.ReaderOf = null;
        kept.Command.Parameters.Clear();
    }

    private Kept? Take(DbCommand command)
    {
        if (!ReferenceEquals(command.Connection, Connection) || command.Transaction is not (null or SqliteTransaction)) return null;
        if (!_kept.TryGetValue(command.CommandText, out var kept))
        {
            if (_kept.Count >= MaxStatements) return null;
            kept = new Kept(Connection.CreateCommand());
            kept.Command.CommandText = command.CommandText;
            _kept.Add(command.CommandText, kept);
            Prepared++;
        }
        else if (kept.ReaderOf is not null) return null; // the same SQL with its reader still open: EF's own command runs it
        else Reused++;
        var cmd = kept.Command;
        cmd.Transaction = (SqliteTransaction?)command.Transaction;
        cmd.CommandTimeout = command.CommandTimeout;
        cmd.Parameters.Clear();
        foreach (var p in command.Parameters) cmd.Parameters.Add((SqliteParameter)p);
        return kept;
    }

    /// <summary>Closes the connection and its kept statements (the app stops): SQLite checkpoints the WAL on the last close.</summary>
    public void Close()
    {
        foreach (var kept in _kept.Values.ToList()) Forget(kept);
        _holder.Dispose();
    }

    // A command that failed (or was left mid-read) is dropped with its statements; the next use prepares it again.
    private void Forget(Kept kept)
    {
        _kept.Remove(kept.Command.CommandText);
        if (kept.ReaderOf is not null) _readers.Remove(kept.ReaderOf);
        kept.Command.Dispose();
    }
}
