using BackupControlPlane.Api.Tests.Infrastructure;

namespace BackupControlPlane.Api.Tests.Scale;

/// <summary>The same service with Database:Provider=PostgreSql: one setting, and the whole backup loop runs on it.</summary>
public sealed class PostgreSqlProviderTests
{
    [Fact]
    public async Task On_PostgreSql_a_scheduled_backup_ends_Completed_with_its_recovery_point()
    {
        using var app = await EmulatorApp.StartAsync(settings: new()
        {
            ["Database:Provider"] = "PostgreSql",
            ["ConnectionStrings:Default"] = await SharedPostgres.NewDatabaseAsync("bcp_single"),
        });
        const string rg = "rg-pg";
        await app.Arm.ProtectedVmAsync(rg, "vault1", "vm1");
        await app.StartAgentAsync("vm1");

        var due = await app.Arm.RunDueAsync(rg);
        var job = await app.Arm.WaitForJobAsync(rg, "vault1", ArmTestClient.BackupJobOf(due, "vm1"));

        Assert.Equal("Completed", job["properties"]!["status"]!.GetValue<string>());
        var points = (await app.Arm.GetAsync(ArmTestClient.ItemPath(rg, "vault1", "vm1") + "/recoveryPoints"))["value"]!.AsArray();
        Assert.Single(points);
    }
}
