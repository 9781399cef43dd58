using System.Collections.Concurrent;
using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace BackupControlPlane.Api.Data;

/// <summary>
/// SQLite lets one writer in at a time, and Microsoft.Data.Sqlite waits for that lock by sleeping on the calling thread,
/// 150 ms per try. With hundreds of agents writing at once (heartbeats, reports) the sleepers took every thread-pool
/// thread, starved the request holding the lock, and turned a commit of a millisecond into a p99 of half a second
/// (docs/performance.md). So this process's writers queue here first, asynchronously and in arrival order, and reach
/// SQLite's lock only when it is free: SaveChanges, write transactions (<see cref="BeginWriteAsync"/>) and single
/// statements (ExecuteUpdate/ExecuteDelete, through this interceptor). Reads never queue (WAL). A context already inside
/// the gate enters again freely (SaveChanges within a write transaction). Another process writing the same file still
/// meets SQLite's own lock. PostgreSQL has no gate: it runs writers side by side.
/// </summary>
public sealed class SqliteWriteGate : DbCommandInterceptor, IDbConnectionInterceptor
{
    /// <summary>
    /// Closes the gate's kept write connections when the app's services are disposed: after the server and the
    /// background jobs have stopped, so no turn is running. Without it they stayed open until the garbage collector
    /// found them (the test host's many short-lived apps). A hosted service only so that the container makes it at
    /// start, and so disposes it at the end; it does nothing at start or stop.
    /// </summary>
    public sealed class Owner(SqliteWriteGate gate) : IHostedService, IDisposable
    {
        public Task StartAsync(CancellationToken ct) => Task.CompletedTask;
        public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
        public void Dispose()
        {
            foreach (var database in gate._databases.Values) Interlocked.Exchange(ref database.Writer, null)?.Close();
        }
    }

    /// <summary>One SQLite file as this process writes it: whose turn it is, and how many turns have ended.</summary>
    internal sealed class Database
    {
        public readonly SemaphoreSlim Turn = new(1, 1);
        public long Writes;
        // The connection write turns borrow (opened by the first turn that can borrow it; used only by the turn's holder).
        public SqliteWriteConnection? Writer;
    }

    // The files this app's contexts write, with their turns. Owned by the interceptor instance, which the app's
    // DbContext options hold: when the app goes, so does this (a static map would keep every file of every app, as
    // the test host's hundreds of short-lived apps showed). One app writes one file, so it holds one entry.
    private readonly ConcurrentDictionary<string, Database> _databases = new(StringComparer.Ordinal);

    private static Database? Of(BackupDbContext db)
    {
        if (db.Database.GetDbConnection() is not SqliteConnection connection) return null;
        // Found once per pooled context: its options, and so its interceptors, never change.
        if (!db.WriteGateResolved)
        {
            db.WriteGateOwner = db.GetService<IDbContextOptions>().FindExtension<CoreOptionsExtension>()?.Interceptors?.OfType<SqliteWriteGate>().FirstOrDefault();
            db.WriteGateResolved = true;
        }
        return db.WriteGateOwner?._databases.GetOrAdd(connection.ConnectionString, _ => new Database());
    }

    /// <summary>
    /// The counter of write turns ended in this process on <paramref name="db"/>'s database (<c>Writes</c>, read with
    /// <see cref="Volatile"/>): it changes after every write is committed (or rolled back), so an answer read at one
    /// value is current while it holds; a reader may keep it and check it later without a context (ReadCache). Null on
    /// PostgreSQL, where other nodes write without this process seeing it.
    /// </summary>
    internal static Database? WritesOf(BackupDbContext db) => Of(db);

    /// <summary>
    /// How many statements the write connection of <paramref name="db"/>'s database has prepared, and how many executions
    /// reused one already prepared (<see cref="SqliteWriteConnection"/>); zeros before the first turn and on PostgreSQL.
    /// </summary>
    public static (long Prepared, long Reused) WriteStatements(BackupDbContext db) =>
        Of(db)?.Writer is { } writer ? (Volatile.Read(ref writer.Prepared), Volatile.Read(ref writer.Reused)) : (0, 0);

    /// <summary>As long as a command may wait for SQLite's lock; then the write fails as SQLite's "database is locked" would.</summary>
    public static TimeSpan Timeout { get; } = TimeSpan.FromSeconds(30);

    private static SqliteException Locked() => new($"database is locked: no write turn within {Timeout.TotalSeconds:0} s", 5);

    /// <summary>
    /// Enters the gate for <paramref name="db"/>'s database, or again if it is inside already; dispose to leave. A turn
    /// entered before any command (SaveChanges, a write transaction) runs on the kept write connection
    /// (<see cref="SqliteWriteConnection"/>); one entered from inside a command (ExecuteUpdate) stays on its own.
    /// </summary>
    public static async ValueTask<Held> EnterAsync(BackupDbContext db, CancellationToken ct, bool borrow = true)
    {
        var awaited = TurnToWaitFor(db);
        var asked = System.Diagnostics.Stopwatch.GetTimestamp();
        if (awaited is not null && !await awaited.Turn.WaitAsync(Timeout, ct)) throw Locked();
        if (awaited is not null) Infrastructure.Telemetry.BcpTelemetry.WriteGateWaited(System.Diagnostics.Stopwatch.GetElapsedTime(asked));
        return Entered(db, awaited, borrow);
    }

    public static Held Enter(BackupDbContext db, bool borrow = true)
    {
        var awaited = TurnToWaitFor(db);
        var asked = System.Diagnostics.Stopwatch.GetTimestamp();
        if (awaited is not null && !awaited.Turn.Wait(Timeout)) throw Locked();
        if (awaited is not null) Infrastructure.Telemetry.BcpTelemetry.WriteGateWaited(System.Diagnostics.Stopwatch.GetElapsedTime(asked));
        return Entered(db, awaited, borrow);
    }

    // Null on PostgreSQL, and for a context already inside (it enters again without waiting).
    private static Database? TurnToWaitFor(BackupDbContext db) => db.WriteGate is null ? Of(db) : null;

    private static Held Entered(BackupDbContext db, Database? taken, bool borrow)
    {
        if (taken is not null)
        {
            db.WriteGate = taken;
            if (borrow)
            {
                try
                {
                    (taken.Writer ??= SqliteWriteConnection.Open(db)).Lend(db);
                }
                catch
                {
                    Release(db);
                    throw;
                }
            }
        }
        if (db.WriteGate is null) return default;
        db.WriteDepth++;
        return new Held(db);
    }

    private static void Leave(BackupDbContext db)
    {
        if (db.WriteDepth == 0) return;
        if (--db.WriteDepth == 0) Release(db);
    }

    /// <summary>Gives the turn back whatever the depth: the context is going back to the pool.</summary>
    internal static void Release(BackupDbContext db)
    {
        db.WriteDepth = 0;
        if (Interlocked.Exchange(ref db.WriteGate, null) is not { } database) return;
        // The write connection goes back before the turn does: the next holder may borrow it at once.
        try { database.Writer?.TakeBack(db); }
        finally
        {
            Interlocked.Increment(ref database.Writes);
            database.Turn.Release();
        }
    }

    public readonly struct Held(BackupDbContext? db) : IDisposable
    {
        public void Dispose()
        {
            if (db is not null) Leave(db);
        }
    }

    /// <summary>A transaction that holds the write gate from before BEGIN until it is disposed.</summary>
    public static async Task<WriteTransaction> BeginWriteAsync(BackupDbContext db, IsolationLevel isolation, CancellationToken ct)
    {
        var held = await EnterAsync(db, ct);
        try
        {
            return new WriteTransaction(await db.Database.BeginTransactionAsync(isolation, ct), held);
        }
        catch
        {
            held.Dispose();
            throw;
        }
    }

    public sealed class WriteTransaction(IDbContextTransaction transaction, Held held) : IAsyncDisposable
    {
        public Task CommitAsync(CancellationToken ct) => transaction.CommitAsync(ct);

        public async ValueTask DisposeAsync()
        {
            try { await transaction.DisposeAsync(); }
            finally { held.Dispose(); }
        }
    }

    // Single statements EF runs outside SaveChanges: ExecuteUpdate, ExecuteDelete.
    public override async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken ct = default)
    {
        if (eventData.Context is BackupDbContext db) await EnterAsync(db, ct, borrow: false);
        return NonQueryOnWriter(command, eventData, result);
    }

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        if (eventData.Context is BackupDbContext db) Enter(db, borrow: false);
        return NonQueryOnWriter(command, eventData, result);
    }

    /// <summary>The kept write connection <paramref name="db"/> holds in its write turn (<see cref="SqliteRowInsert"/>); null outside a turn and on PostgreSQL.</summary>
    internal static SqliteWriteConnection? WriterFor(BackupDbContext db) => db.WriteGate?.Writer;

    // Commands on the write connection (a turn's) run on its kept, prepared command of the same SQL (SqliteWriteConnection).
    private static SqliteWriteConnection? WriterOf(CommandEventData eventData) => (eventData.Context as BackupDbContext)?.WriteGate?.Writer;

    private static InterceptionResult<int> NonQueryOnWriter(DbCommand command, CommandEventData eventData, InterceptionResult<int> result) =>
        !result.HasResult && WriterOf(eventData) is { } writer && writer.TryExecuteNonQuery(command, out var rows) ? InterceptionResult<int>.SuppressWithResult(rows) : result;

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result) =>
        !result.HasResult && WriterOf(eventData)?.ExecuteReader(command, CommandBehavior.Default) is { } reader ? InterceptionResult<DbDataReader>.SuppressWithResult(reader) : result;

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken ct = default) =>
        ValueTask.FromResult(ReaderExecuting(command, eventData, result));

    public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result) =>
        !result.HasResult && WriterOf(eventData) is { } writer && writer.TryExecuteScalar(command, out var value) ? InterceptionResult<object>.SuppressWithResult(value!) : result;

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken ct = default) =>
        ValueTask.FromResult(ScalarExecuting(command, eventData, result));

    public override InterceptionResult DataReaderDisposing(DbCommand command, DataReaderDisposingEventData eventData, InterceptionResult result)
    {
        (eventData.Context as BackupDbContext)?.WriteGate?.Writer?.ReaderDisposed(command);
        return result;
    }

    // A context's own connection kept aside for its turn (SqliteWriteConnection.Lend) is not disposed when it borrows the write one.
    InterceptionResult IDbConnectionInterceptor.ConnectionDisposing(DbConnection connection, ConnectionEventData eventData, InterceptionResult result) =>
        eventData.Context is BackupDbContext { KeptAside: { } aside } && ReferenceEquals(aside, connection) ? InterceptionResult.Suppress() : result;

    ValueTask<InterceptionResult> IDbConnectionInterceptor.ConnectionDisposingAsync(DbConnection connection, ConnectionEventData eventData, InterceptionResult result) =>
        ValueTask.FromResult(((IDbConnectionInterceptor)this).ConnectionDisposing(connection, eventData, result));

    public override ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken ct = default)
    {
        if (eventData.Context is BackupDbContext db) Leave(db);
        return ValueTask.FromResult(result);
    }

    public override int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        if (eventData.Context is BackupDbContext db) Leave(db);
        return result;
    }

    public override void CommandFailed(DbCommand command, CommandErrorEventData eventData) => LeaveAfterNonQuery(eventData);

    public override Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken ct = default)
    {
        LeaveAfterNonQuery(eventData);
        return Task.CompletedTask;
    }

    public override void CommandCanceled(DbCommand command, CommandEndEventData eventData) => LeaveAfterNonQuery(eventData);

    public override Task CommandCanceledAsync(DbCommand command, CommandEndEventData eventData, CancellationToken ct = default)
    {
        LeaveAfterNonQuery(eventData);
        return Task.CompletedTask;
    }

    private static void LeaveAfterNonQuery(CommandEndEventData eventData)
    {
        if (eventData.ExecuteMethod == DbCommandMethod.ExecuteNonQuery && eventData.Context is BackupDbContext db) Leave(db);
    }
}
