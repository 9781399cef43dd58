using System.Data.Common;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace BackupControlPlane.Api.Data;

/// <summary>
/// PostgreSQL: at most <c>capacity</c> of this process's EF Core connections open at once (Database:MaxConcurrentConnections);
/// the others wait their turn in order, for as long as it takes (the request's own cancellation ends a wait).
/// Why: Npgsql's pool also makes them wait, but fails a wait after the connection string's Timeout (15 s by default).
/// In a 10,000-VM round every agent's report arrived at once, the pool's 100 connections were all busy, and a client's
/// read of the jobs list waited out the 15 s and answered 503 DatabaseUnavailable (docs/performance.md). SQLite's
/// requests queue at its write gate without a deadline; here they queue at this gate the same way. Fewer backends at
/// once also suit the machine: a hundred PostgreSQL backends sharing two cores get less done than a few dozen.
/// The pool keeps room above the gate for Hangfire's storage, which shares the connection string.
/// </summary>
public sealed class PostgreSqlConnectionGate(int capacity) : DbConnectionInterceptor
{
    private readonly SemaphoreSlim _slots = new(capacity, capacity);
    // Each connection EF has opened through here, with whether it holds a slot now. A slot is released exactly once,
    // whichever comes first: the connection's own StateChange to Closed (a pooled context's reset closes it without
    // EF's interception events), or EF's closed, failed or disposed events.
    private readonly ConditionalWeakTable<DbConnection, Holder> _known = new();

    private sealed class Holder
    {
        public int Held;
    }

    /// <summary>Slots free now (tests, diagnostics).</summary>
    public int Free => _slots.CurrentCount;

    public override async ValueTask<InterceptionResult> ConnectionOpeningAsync(DbConnection connection, ConnectionEventData eventData,
        InterceptionResult result, CancellationToken ct = default)
    {
        if (!_slots.Wait(0))
        {
            var asked = Stopwatch.GetTimestamp();
            await _slots.WaitAsync(ct);
            Infrastructure.Telemetry.BcpTelemetry.ConnectionGateWaited(Stopwatch.GetElapsedTime(asked));
        }
        Hold(connection);
        return result;
    }

    public override InterceptionResult ConnectionOpening(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        _slots.Wait();
        Hold(connection);
        return result;
    }

    public override void ConnectionClosed(DbConnection connection, ConnectionEndEventData eventData) => Release(connection);

    public override Task ConnectionClosedAsync(DbConnection connection, ConnectionEndEventData eventData)
    {
        Release(connection);
        return Task.CompletedTask;
    }

    public override void ConnectionFailed(DbConnection connection, ConnectionErrorEventData eventData) => Release(connection);

    public override Task ConnectionFailedAsync(DbConnection connection, ConnectionErrorEventData eventData, CancellationToken ct = default)
    {
        Release(connection);
        return Task.CompletedTask;
    }

    public override void ConnectionDisposed(DbConnection connection, ConnectionEndEventData eventData) => Release(connection);

    public override Task ConnectionDisposedAsync(DbConnection connection, ConnectionEndEventData eventData)
    {
        Release(connection);
        return Task.CompletedTask;
    }

    private void Hold(DbConnection connection)
    {
        var holder = _known.GetValue(connection, c =>
        {
            var created = new Holder();
            c.StateChange += (_, e) =>
            {
                if (e.CurrentState is System.Data.ConnectionState.Closed or System.Data.ConnectionState.Broken) Release(created);
            };
            return created;
        });
        if (Interlocked.Exchange(ref holder.Held, 1) == 1) _slots.Release(); // already holding one (an open EF repeats): keep one
    }

    private void Release(DbConnection connection)
    {
        if (_known.TryGetValue(connection, out var holder)) Release(holder);
    }

    private void Release(Holder holder)
    {
        if (Interlocked.Exchange(ref holder.Held, 0) == 1) _slots.Release();
    }
}
