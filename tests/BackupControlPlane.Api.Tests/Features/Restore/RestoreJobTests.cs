using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using BackupControlPlane.Api.Features.Restore;
using BackupControlPlane.Api.Tests.Infrastructure;
using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BackupControlPlane.Api.Tests.Features.Restore;

/// <summary>
/// The restore job's life between request and result, made deterministic: this app's Hangfire client holds restore jobs
/// back (every other job goes to the real Hangfire), so a restore stays InProgress until the test runs its job, with the
/// same class and arguments Hangfire would.
/// </summary>
public sealed class RestoreJobTests : IAsyncLifetime
{
    private readonly HeldRestores _held = new();
    private EmulatorApp _app = null!;

    public async Task InitializeAsync() =>
        _app = await EmulatorApp.StartAsync(services: s => s.Replace(ServiceDescriptor.Singleton<IBackgroundJobClient>(sp =>
            _held.Around(new BackgroundJobClient(sp.GetRequiredService<JobStorage>())))));

    public Task DisposeAsync()
    {
        _app.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Passes every job to Hangfire except restores, which wait here until a test runs them.</summary>
    private sealed class HeldRestores
    {
        public ConcurrentQueue<Job> Jobs { get; } = new();

        public IBackgroundJobClient Around(IBackgroundJobClient inner) => new Client(this, inner);

        private sealed class Client(HeldRestores held, IBackgroundJobClient inner) : IBackgroundJobClient
        {
            public string Create(Job job, IState state)
            {
                if (job.Type != typeof(RestoreJob)) return inner.Create(job, state);
                held.Jobs.Enqueue(job);
                return "held-" + held.Jobs.Count;
            }

            public bool ChangeState(string jobId, IState state, string expectedState) => inner.ChangeState(jobId, state, expectedState);
        }
    }

    private async Task RunAsync(Job job)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<RestoreJob>().RunAsync((Guid)job.Args[0], (RestorePlan)job.Args[1], CancellationToken.None);
    }

    [Fact]
    public async Task A_second_restore_of_an_item_is_refused_while_one_runs_and_accepted_once_it_ends()
    {
        var s = await RestoreScenario.BackedUpAsync(_app, "rg-busy", RestoreScenario.NewVm("vmbusy"));

        // Two requests at once: exactly one is accepted, the other gets Azure's in-progress error.
        var answers = await Task.WhenAll(
            s.PostRestoreAsync(s.Body()),
            s.PostRestoreAsync(s.Body(account: "othersa")));
        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.BadRequest], answers.Select(a => a.StatusCode).Order());
        var refused = answers.Single(a => a.StatusCode == HttpStatusCode.BadRequest);
        var error = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal("UserErrorAnotherRestoreInProgressOnSameTarget", error["code"]!.GetValue<string>());
        Assert.Contains(s.Vm, error["message"]!.GetValue<string>());
        foreach (var a in answers) a.Dispose();
        var running = Assert.Single(await s.RestoreJobsAsync())!;
        Assert.Equal("InProgress", running["properties"]!["status"]!.GetValue<string>());

        // A request after it is refused too, until the job has run.
        using (var later = await s.PostRestoreAsync(s.Body()))
            Assert.Equal(HttpStatusCode.BadRequest, later.StatusCode);
        Assert.True(_held.Jobs.TryDequeue(out var job));
        Assert.Empty(_held.Jobs);
        await RunAsync(job);
        Assert.Equal("Completed", (await s.WaitAsync(running["name"]!.GetValue<string>()))["properties"]!["status"]!.GetValue<string>());
        await s.StartRestoreAsync();
        Assert.Equal(2, (await s.RestoreJobsAsync()).Count);
    }

    [Fact]
    public async Task Running_a_restore_job_again_after_a_crash_rewrites_the_same_blobs_once()
    {
        var s = await RestoreScenario.BackedUpAsync(_app, "rg-rerun", RestoreScenario.NewVm("vmrerun"), dataDisks: 2);
        var jobId = await s.StartRestoreAsync();
        Assert.True(_held.Jobs.TryDequeue(out var job));
        await RunAsync(job);
        var done = await s.WaitAsync(jobId);
        var bag = done["properties"]!["extendedInfo"]!["propertyBag"]!;
        var container = bag["Config Blob Container Name"]!.GetValue<string>();
        var first = await s.RestoredAsync(container);

        // A crash after the copies but before the job was settled: the row is InProgress again and Hangfire re-runs the job.
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<BackupControlPlane.Api.Data.BackupDbContext>();
            await db.BackupJobs.Where(j => j.Id == Guid.Parse(jobId)).ExecuteUpdateAsync(u => u
                .SetProperty(j => j.Status, "InProgress").SetProperty(j => j.EndTime, (DateTimeOffset?)null));
        }
        await s.ChangeDisksAsync(); // the re-run must still restore the backup, not the disks as they are now
        await RunAsync(job);
        await RunAsync(job); // and a duplicate delivery after it finished changes nothing

        var again = await s.WaitAsync(jobId);
        Assert.Equal("Completed", again["properties"]!["status"]!.GetValue<string>());
        Assert.Equal(bag.ToJsonString(), again["properties"]!["extendedInfo"]!["propertyBag"]!.ToJsonString());
        var second = await s.RestoredAsync(container);
        Assert.Equal(first.Keys.Order(), second.Keys.Order());
        foreach (var (name, bytes) in first) Assert.Equal(bytes, second[name]);
        foreach (var (disk, atBackup) in s.AtBackup) Assert.Equal(atBackup, second[disk + ".vhd"]);
        var containers = 0;
        await foreach (var _ in _app.Blobs.GetBlobContainersAsync(prefix: s.Vm + "-")) containers++;
        Assert.Equal(1, containers);
        Assert.Single(await s.RestoreJobsAsync());
    }
}
