using System.Net;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace BackupControlPlane.Api.Tests.Scale;

/// <summary>
/// On PostgreSQL a burst of requests larger than the connection pool waits its turn at the node's gate
/// (Data/PostgreSqlConnectionGate.cs) instead of failing with 503 after Npgsql's pool Timeout, as a 10,000-VM round did.
/// </summary>
public sealed class PostgreSqlConnectionGateTests
{
    [Fact]
    public async Task Requests_waiting_longer_than_the_pools_timeout_are_answered_not_refused()
    {
        // A pool of 4 that gives up on a wait after 1 s; the node opens at most 2 of them at once.
        var connection = await SharedPostgres.NewDatabaseAsync("bcp_gate") + ";Maximum Pool Size=4;Timeout=1";
        using var app = await EmulatorApp.StartAsync(settings: new()
        {
            ["Database:Provider"] = "PostgreSql",
            ["ConnectionStrings:Default"] = connection,
            ["Database:MaxConcurrentConnections"] = "2",
        });
        const string rg = "rg-gate";
        await app.Arm.PutVaultAsync(rg, "vault1");
        var gate = app.Service<PostgreSqlConnectionGate>();

        // The node's two connections busy (long transactions), the pool's other two taken by someone else (Hangfire, say).
        var busy = new List<AsyncServiceScope>();
        var others = new List<NpgsqlConnection>();
        try
        {
            for (var i = 0; i < 2; i++)
            {
                var scope = app.Services.CreateAsyncScope();
                busy.Add(scope);
                await scope.ServiceProvider.GetRequiredService<BackupDbContext>().Database.OpenConnectionAsync().WaitAsync(TimeSpan.FromMinutes(1));
            }
            for (var i = 0; i < 2; i++)
            {
                var other = new NpgsqlConnection(connection);
                others.Add(other);
                await other.OpenAsync().WaitAsync(TimeSpan.FromMinutes(1));
            }
            Assert.Equal(0, gate.Free);

            // Ten clients read the vault meanwhile. Without the gate each would wait in Npgsql's pool and get 503 after 1 s.
            var reads = Enumerable.Range(0, 10).Select(_ => app.Arm.SendAsync(HttpMethod.Get, ArmTestClient.VaultPath(rg, "vault1"), version: "2022-10-01")).ToList();
            // Held well past the pool's Timeout (the scenario's length, not a synchronisation: holding longer changes nothing).
            await Task.Delay(TimeSpan.FromSeconds(2.5));
            Assert.All(reads, r => Assert.False(r.IsCompleted));
            await Release(busy, others);

            foreach (var response in await Task.WhenAll(reads).WaitAsync(TimeSpan.FromMinutes(1)))
                using (response) Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            // A request's context goes back to the pool (and its connection's slot to the gate) when its scope ends, which
            // is after the response is sent: both slots come back, none is lost, but not necessarily before the client reads.
            await Poll.Until(() => Task.FromResult(gate.Free == 2), "both of the node's slots back at the gate");
        }
        finally
        {
            await Release(busy, others);
        }
    }

    private static async Task Release(List<AsyncServiceScope> busy, List<NpgsqlConnection> others)
    {
        foreach (var other in others) await other.DisposeAsync();
        foreach (var scope in busy) await scope.DisposeAsync();
        others.Clear();
        busy.Clear();
    }

    [Fact]
    public async Task A_slot_is_released_once_whichever_of_closed_failed_or_disposed_comes_first()
    {
        var gate = new PostgreSqlConnectionGate(1);
        await using var first = new SqliteConnection("Data Source=:memory:");
        await using var second = new SqliteConnection("Data Source=:memory:");

        await gate.ConnectionOpeningAsync(first, null!, default);
        var waiting = gate.ConnectionOpeningAsync(second, null!, default).AsTask();
        Assert.False(waiting.IsCompleted);

        await gate.ConnectionFailedAsync(first, null!); // the open failed: its slot goes to the waiter
        await waiting;
        await gate.ConnectionClosedAsync(first, null!); // first holds nothing any more: no second release
        Assert.Equal(0, gate.Free);

        await gate.ConnectionClosedAsync(second, null!);
        await gate.ConnectionDisposedAsync(second, null!);
        Assert.Equal(1, gate.Free);
    }

    [Fact]
    public async Task A_connection_closed_without_EFs_events_frees_its_slot()
    {
        // A pooled DbContext's reset closes its connection directly (a vault write's MUA check leaves it open for the
        // request): EF's interceptors hear nothing, the connection's own StateChange does.
        var gate = new PostgreSqlConnectionGate(1);
        await using var connection = new SqliteConnection("Data Source=:memory:");
        await gate.ConnectionOpeningAsync(connection, null!, default);
        await connection.OpenAsync();
        Assert.Equal(0, gate.Free);

        await connection.CloseAsync();
        Assert.Equal(1, gate.Free);
    }

    [Fact]
    public async Task A_waiting_request_that_is_cancelled_takes_no_slot()
    {
        var gate = new PostgreSqlConnectionGate(1);
        await using var first = new SqliteConnection("Data Source=:memory:");
        await using var second = new SqliteConnection("Data Source=:memory:");
        await gate.ConnectionOpeningAsync(first, null!, default);

        using var cancel = new CancellationTokenSource();
        var waiting = gate.ConnectionOpeningAsync(second, null!, default, cancel.Token).AsTask();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);

        await gate.ConnectionClosedAsync(first, null!);
        Assert.Equal(1, gate.Free);
    }
}
