using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Features.Backups;
using BackupControlPlane.Api.Tests.Infrastructure;
using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace BackupControlPlane.Api.Tests.Features.Backups;

/// <summary>
/// A transfer to the vault whose Hangfire job is lost (its retries ran out on a database error, or a node died in a way
/// Hangfire did not notice, as in the two-node failover run that left one backup InProgress for good) must not leave the
/// backup InProgress for ever: the watchdog queues it again once the task is past its deadline.
/// </summary>
public sealed class StalledTransferTests
{
    [Fact]
    public async Task A_transfer_whose_job_was_lost_is_queued_again_by_the_watchdog_after_the_deadline_and_completes_once()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var jobs = new LosingJobClient();
        using var app = await EmulatorApp.StartAsync(time, new() { ["Emulator:AgentTaskTimeout"] = "00:05:00" },
            services: s => s.AddSingleton<IBackgroundJobClient>(sp => jobs.Wrap(new BackgroundJobClient(sp.GetRequiredService<JobStorage>()))));
        const string rg = "rg-stalled", vault = "vault1", vm = "vmstalled";
        await app.Arm.ProtectedVmAsync(rg, vault, vm);
        await app.StartAgentAsync(vm);
        jobs.LoseTransfers = true;
        var jobName = (await app.Arm.BackupNowAsync(rg, vault, vm))["name"]!.GetValue<string>();
        await Poll.Until(async () => await TaskStateAsync(app, jobName) == AgentTaskStates.Transferring, "the snapshot report to be recorded");
        Assert.True(jobs.Lost > 0);

        // Before the deadline nothing is queued again: a live transfer is never doubled.
        Assert.Equal(0, await ResumeAsync(app));
        Assert.Equal("InProgress", await StatusAsync(app, rg, vault, jobName));

        jobs.LoseTransfers = false;
        time.Advance(TimeSpan.FromMinutes(6));
        await ResumeAsync(app); // or the recurring watchdog did it first: either way the transfer runs again
        await Poll.Until(async () => await StatusAsync(app, rg, vault, jobName) == "Completed", "the transfer queued again to complete");
        var point = Assert.Single((await app.Arm.GetAsync(ArmTestClient.ItemPath(rg, vault, vm) + "/recoveryPoints"))["value"]!.AsArray())!;
        Assert.Contains("HardenedRP", point["properties"]!["recoveryPointTierDetails"]!.AsArray().Select(t => t!["type"]!.GetValue<string>()));
        Assert.Equal(0, await ResumeAsync(app));
    }

    private static async Task<int> ResumeAsync(EmulatorApp app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<StalledTransfers>().ResumeAsync(CancellationToken.None);
    }

    private static async Task<string?> TaskStateAsync(EmulatorApp app, string jobName)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BackupDbContext>();
        return await db.AgentTasks.Where(t => t.JobId == Guid.Parse(jobName)).Select(t => t.State).FirstOrDefaultAsync();
    }

    private static async Task<string> StatusAsync(EmulatorApp app, string rg, string vault, string jobName) =>
        (await app.Arm.GetAsync($"{ArmTestClient.VaultPath(rg, vault)}/backupJobs/{jobName}"))["properties"]!["status"]!.GetValue<string>();

    /// <summary>Hangfire's client, except that while <see cref="LoseTransfers"/> is set a transfer job vanishes on its way to the queue.</summary>
    private sealed class LosingJobClient
    {
        public volatile bool LoseTransfers;
        private int _lost;
        public int Lost => _lost;

        public IBackgroundJobClient Wrap(IBackgroundJobClient inner) => new Client(this, inner);

        private sealed class Client(LosingJobClient owner, IBackgroundJobClient inner) : IBackgroundJobClient
        {
            public string Create(Job job, IState state)
            {
                if (!owner.LoseTransfers || job.Type != typeof(VaultTransferJob)) return inner.Create(job, state);
                Interlocked.Increment(ref owner._lost);
                return "lost-" + Guid.NewGuid();
            }

            public bool ChangeState(string jobId, IState state, string expectedState) =>
                !jobId.StartsWith("lost-", StringComparison.Ordinal) && inner.ChangeState(jobId, state, expectedState);
        }
    }
}
