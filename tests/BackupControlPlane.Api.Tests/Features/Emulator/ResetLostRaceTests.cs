using System.Net;
using System.Text.Json.Nodes;
using BackupControlPlane.Api.Tests.Infrastructure;
using Npgsql;

namespace BackupControlPlane.Api.Tests.Features.Emulator;

/// <summary>
/// On PostgreSQL the reset's serializable wipe can lose to a write committed while it runs (an agent's report, the
/// scheduler): the reset must still answer 200 with everything gone, not 409. The lost race is forced, not hoped for:
/// a transaction of the test's own holds a vault row, the wipe waits for it, the test commits, and PostgreSQL then
/// refuses the wipe's delete of that row (40001, "could not serialize access due to concurrent update").
/// </summary>
public sealed class ResetLostRaceTests
{
    [Fact]
    public async Task On_PostgreSql_a_wipe_that_loses_to_a_concurrent_write_runs_again_and_the_reset_answers_200()
    {
        var connectionString = await SharedPostgres.NewDatabaseAsync("bcp_reset_race");
        using var app = await EmulatorApp.StartAsync(settings: new()
        {
            ["Database:Provider"] = "PostgreSql",
            ["ConnectionStrings:Default"] = connectionString,
        });
        const string rg = "rg-reset-race";
        await app.Arm.PutVaultAsync(rg, "vault1");

        await using var writer = new NpgsqlConnection(connectionString);
        await writer.OpenAsync();
        await using var write = await writer.BeginTransactionAsync();
        // A write that changes nothing but is a new version of the row, as any concurrent update would be.
        await using (var update = new NpgsqlCommand("""UPDATE "Vaults" SET "Name" = "Name" """, writer, write))
            Assert.Equal(1, await update.ExecuteNonQueryAsync());

        var reset = app.Client.PostAsync("/emulator/reset", null);
        await WaitUntilTheWipeWaitsForTheRowAsync(connectionString, reset);
        await write.CommitAsync();

        using var answer = await reset;
        var body = await answer.Content.ReadAsStringAsync();
        Assert.True(answer.StatusCode == HttpStatusCode.OK, $"reset answered {(int)answer.StatusCode}: {body}");
        Assert.Empty((await app.Arm.GetAsync($"/subscriptions/{ArmTestClient.Sub}/providers/Microsoft.RecoveryServices/vaults"))["value"]!.AsArray());
        Assert.True(JsonNode.Parse(body)!["rows"]!.GetValue<int>() > 0, body);
    }

    /// <summary>Polls PostgreSQL's own view of the wipe: its delete of the vaults blocked on the test's row lock.</summary>
    private static async Task WaitUntilTheWipeWaitsForTheRowAsync(string connectionString, Task<HttpResponseMessage> reset)
    {
        await using var watcher = new NpgsqlConnection(connectionString);
        await watcher.OpenAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (true)
        {
            await using var blocked = new NpgsqlCommand(
                """SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'DELETE FROM "Vaults"%'""", watcher);
            if ((long)(await blocked.ExecuteScalarAsync(deadline.Token))! > 0) return;
            // The reset must not have finished without meeting the lock: then the test proves nothing.
            Assert.False(reset.IsCompleted, "the reset finished before its wipe reached the locked vault row");
            await Task.Delay(TimeSpan.FromMilliseconds(20), deadline.Token);
        }
    }
}
