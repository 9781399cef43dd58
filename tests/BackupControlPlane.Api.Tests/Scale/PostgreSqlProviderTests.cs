using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Features.Scheduling;
using BackupControlPlane.Api.Tests.Infrastructure;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BackupControlPlane.Api.Tests.Scale;

public sealed class PostgreSqlApp : IAsyncLifetime
{
    public EmulatorApp App { get; private set; } = null!;

    public async Task InitializeAsync() => App = await EmulatorApp.StartAsync(settings: new()
    {
        ["Database:Provider"] = "PostgreSql",
        ["ConnectionStrings:Default"] = await SharedPostgres.NewDatabaseAsync("bcp_single"),
    });

    public Task DisposeAsync()
    {
        App.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>The same service with Database:Provider=PostgreSql: one setting, and the whole backup loop runs on it.</summary>
public sealed class PostgreSqlProviderTests(PostgreSqlApp fixture) : IClassFixture<PostgreSqlApp>
{
    private EmulatorApp App => fixture.App;

    [Fact]
    public async Task On_PostgreSql_a_scheduled_backup_ends_Completed_with_its_recovery_point()
    {
        const string rg = "rg-pg";
        await App.Arm.ProtectedVmAsync(rg, "vault1", "vm1");
        await App.StartAgentAsync("vm1");

        var due = await App.Arm.RunDueAsync(rg);
        var job = await App.Arm.WaitForJobAsync(rg, "vault1", ArmTestClient.BackupJobOf(due, "vm1"));

        Assert.Equal("Completed", job["properties"]!["status"]!.GetValue<string>());
        var points = (await App.Arm.GetAsync(ArmTestClient.ItemPath(rg, "vault1", "vm1") + "/recoveryPoints"))["value"]!.AsArray();
        Assert.Single(points);
    }

    [Fact]
    public async Task Reconcilers_of_several_nodes_scheduling_one_policy_at_once_leave_one_slot_job()
    {
        const string rg = "rg-pg-race";
        await App.Arm.ProtectedVmAsync(rg, "vault1", "vm1");
        long policyId;
        await using (var scope = App.Services.CreateAsyncScope())
        {
            // As after a crash between enabling and scheduling: the policy is in use and has no slot job.
            var db = scope.ServiceProvider.GetRequiredService<BackupDbContext>();
            var policy = await db.BackupPolicies.SingleAsync(p => p.Vault!.ResourceGroup == rg);
            policyId = policy.Id;
            App.Service<IBackgroundJobClient>().Delete(policy.NextSlotJobId);
            await db.BackupPolicies.Where(p => p.Id == policyId).ExecuteUpdateAsync(u => u.SetProperty(p => p.NextSlotJobId, (string?)null));
        }

        // Four nodes' reconcilers start together, each in its own scope and connection.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            await using var scope = App.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<BackupScheduler>().EnsureScheduledAsync(policyId, CancellationToken.None);
        })));

        await using (var scope = App.Services.CreateAsyncScope())
        {
            var policy = await scope.ServiceProvider.GetRequiredService<BackupDbContext>().BackupPolicies.SingleAsync(p => p.Id == policyId);
            var scheduled = App.Service<JobStorage>().GetMonitoringApi().ScheduledJobs(0, 1000)
                .Where(j => j.Value.Job?.Type == typeof(ScheduledBackupJob) && (long)j.Value.Job.Args[0] == policyId).Select(j => j.Key).ToList();
            Assert.Equal([policy.NextSlotJobId], scheduled);
        }
        var due = await App.Arm.RunDueAsync(rg);
        Assert.Single(due["jobs"]!.AsArray());
    }

    [Fact]
    public async Task One_slot_job_run_by_several_nodes_at_once_backs_each_item_up_once_and_fails_nowhere()
    {
        const string rg = "rg-pg-slot";
        for (var i = 0; i < 3; i++) await App.Arm.ProtectedVmAsync(rg, "vault1", $"vm{i}");
        long policyId;
        DateTimeOffset slot;
        await using (var scope = App.Services.CreateAsyncScope())
        {
            var policy = await scope.ServiceProvider.GetRequiredService<BackupDbContext>().BackupPolicies.SingleAsync(p => p.Vault!.ResourceGroup == rg);
            (policyId, slot) = (policy.Id, policy.NextSlotUtc!.Value);
        }

        // Three workers (think: three nodes) run the same slot's job together; the unique (item, slot) index picks one
        // writer, the others find the work done instead of failing into Hangfire's retries.
        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            await using var scope = App.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<ScheduledBackupJob>().RunSlotAsync(policyId, slot.UtcDateTime, CancellationToken.None);
        })));

        await using (var scope = App.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<BackupDbContext>();
            var vaultId = await db.Vaults.Where(v => v.ResourceGroup == rg).Select(v => v.Id).SingleAsync();
            var items = await db.BackupJobs.Where(j => j.ScheduledSlotUtc == slot && j.VaultId == vaultId).Select(j => j.ProtectedItemId).ToListAsync();
            Assert.Equal(3, items.Count);
            Assert.Equal(3, items.Distinct().Count());
        }
    }
}
