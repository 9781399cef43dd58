using System.Diagnostics;
using System.Net;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Xunit.Abstractions;

namespace BackupControlPlane.Api.Tests.Features.Protection;

/// <summary>
/// What one enable (PUT protectedItem) costs SQLite: its statements, those run inside a transaction (SQLite's write lock
/// and this process's write gate are held for all of a transaction), and the WAL pages its commit writes. Enable's
/// throughput is bound by that turn (docs/performance.md), so a change that adds to it fails here, not only in a benchmark.
/// </summary>
public sealed class EnableCostTests(ITestOutputHelper output)
{
    [Fact]
    public async Task An_enable_runs_few_statements_in_its_write_turn_and_writes_few_WAL_pages()
    {
        await using var app = await EmulatorApp.StartAsync();
        const string rg = "rg-cost";
        await app.Arm.PutVaultAsync(rg, "vault1");
        foreach (var vm in new[] { "warm", "vm1" }) await app.Arm.PutVmAsync(rg, vm, dataDisks: 0);
        // The first enable schedules the policy's slot and compiles the queries; the second is the one every other is like.
        using (var warm = await app.Arm.EnableProtectionAsync(rg, "vault1", "warm")) Assert.Equal(HttpStatusCode.Accepted, warm.StatusCode);

        await using (var wal = new SqliteConnection($"Data Source={app.DatabasePath}"))
        {
            await wal.OpenAsync();
            await using var checkpoint = wal.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            await using var r = await checkpoint.ExecuteReaderAsync();
            Assert.True(await r.ReadAsync());
            Assert.Equal(0L, r.GetInt64(0)); // not busy: the WAL is empty now
        }
        using var commands = new Commands(app.DatabasePath);
        var before = WriteStatements(app);
        using (var put = await app.Arm.EnableProtectionAsync(rg, "vault1", "vm1")) Assert.Equal(HttpStatusCode.Accepted, put.StatusCode);
        var seen = commands.Seen();
        var pages = (new FileInfo(app.DatabasePath + "-wal").Length - 32) / (4096 + 24);

        foreach (var (sql, inTransaction) in seen) output.WriteLine($"{(inTransaction ? "in  " : "out ")}{sql.ReplaceLineEndings(" ")}");
        var after = WriteStatements(app);
        output.WriteLine($"commands {seen.Count}, in a transaction {seen.Count(c => c.InTransaction)}, WAL pages {pages}; "
            + $"write connection: {after.Prepared - before.Prepared} statements prepared, {after.Reused - before.Reused} reused");
        // Today's figures (2026-12-03): the lookup and three inserts (item, job, operation), the inserts run on the write
        // connection without EF's SaveChanges (SqliteRowInsert), so EF sees the lookup only; 14 pages: three tables,
        // their eight indexes, two text primary keys' indexes and sqlite_sequence (docs/performance.md).
        Assert.InRange(seen.Count(c => c.InTransaction), 1, 4);
        Assert.InRange(pages, 1, 14);
        // The write turn's statements (EF's and the direct inserts) are the warm-up enable's, kept prepared on the write
        // connection: none parsed again.
        Assert.Equal(0, after.Prepared - before.Prepared);
        Assert.InRange(after.Reused - before.Reused, Math.Max(1, seen.Count(c => c.InTransaction)), 4);
    }

    private static (long Prepared, long Reused) WriteStatements(EmulatorApp app)
    {
        using var scope = app.Services.CreateScope();
        return SqliteWriteGate.WriteStatements(scope.ServiceProvider.GetRequiredService<BackupDbContext>());
    }

    /// <summary>EF's commands on one database file, with whether each ran inside a transaction.</summary>
    private sealed class Commands : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
    {
        private readonly string _database;
        private readonly IDisposable _all;
        private readonly List<IDisposable> _listeners = [];
        private readonly List<(string Sql, bool InTransaction)> _seen = [];

        public Commands(string database)
        {
            _database = database;
            _all = DiagnosticListener.AllListeners.Subscribe(this);
        }

        public List<(string Sql, bool InTransaction)> Seen()
        {
            lock (_seen) return [.. _seen];
        }

        public void OnNext(DiagnosticListener listener)
        {
            if (listener.Name == DbLoggerCategory.Name) lock (_listeners) _listeners.Add(listener.Subscribe(this));
        }

        public void OnNext(KeyValuePair<string, object?> e)
        {
            if (e.Key != RelationalEventId.CommandExecuting.Name || e.Value is not CommandEventData data
                || data.Command.Connection?.ConnectionString.Contains(_database) != true) return;
            lock (_seen) _seen.Add((data.Command.CommandText, data.Command.Transaction is not null));
        }

        public void OnCompleted() { }
        public void OnError(Exception error) { }

        public void Dispose()
        {
            _all.Dispose();
            lock (_listeners) foreach (var l in _listeners) l.Dispose();
        }
    }
}
