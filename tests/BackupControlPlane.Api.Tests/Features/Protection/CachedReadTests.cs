using System.Diagnostics;
using System.Net;
using System.Xml;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace BackupControlPlane.Api.Tests.Features.Protection;

/// <summary>
/// GET protectedItem and the jobs list are answered from memory while nothing changed (Data/ReadCache.cs). A client
/// must never see the difference: each read right after a write shows the write, and a running job's duration follows
/// the clock.
/// </summary>
public sealed class CachedReadTests
{
    [Fact]
    public async Task A_protected_item_read_right_after_each_change_shows_the_change()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = "rg-cached-" + Guid.NewGuid().ToString("N")[..6];
        await app.Arm.ProtectedVmAsync(rg, "v1", "vmc");
        var path = ArmTestClient.ItemPath(rg, "v1", "vmc");
        var vmId = $"/subscriptions/{ArmTestClient.Sub}/resourceGroups/{rg}/providers/Microsoft.Compute/virtualMachines/vmc";
        var seen = new HashSet<string>();
        for (var round = 0; round < 5; round++)
        {
            // Read twice (the second read is the one a cache would answer), change, read again at once.
            var before = await app.Arm.GetAsync(path);
            Assert.Equal(before.ToJsonString(), (await app.Arm.GetAsync(path)).ToJsonString());
            var stop = round % 2 == 0;
            using (var change = await app.Arm.SendAsync(HttpMethod.Put, path, new
            {
                properties = new
                {
                    protectedItemType = "Microsoft.Compute/virtualMachines", sourceResourceId = vmId,
                    policyId = stop ? "" : ArmTestClient.VaultPath(rg, "v1") + "/backupPolicies/DefaultPolicy",
                    protectionState = stop ? "ProtectionStopped" : null,
                },
            }))
                Assert.Equal(HttpStatusCode.Accepted, change.StatusCode);
            var after = await app.Arm.GetAsync(path);
            var state = after["properties"]!["protectionState"]!.GetValue<string>();
            Assert.Equal(stop, state == "ProtectionStopped");
            Assert.True(seen.Add(after["eTag"]!.GetValue<string>()), "every change gives the item a new eTag, and the read shows it");
        }
    }

    [Fact]
    public async Task A_running_jobs_duration_in_the_jobs_list_follows_the_clock_at_once()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var app = await EmulatorApp.StartAsync(time);
        var rg = "rg-cachedjobs";
        await app.Arm.ProtectedVmAsync(rg, "v1", "vmj");
        await app.Arm.BackupNowAsync(rg, "v1", "vmj"); // no agent: the backup stays InProgress
        var jobs = ArmTestClient.VaultPath(rg, "v1") + "/backupJobs";

        TimeSpan Duration(System.Text.Json.Nodes.JsonNode list) => XmlConvert.ToTimeSpan(list["value"]!.AsArray()
            .Single(j => j!["properties"]!["operation"]!.GetValue<string>() == "Backup")!["properties"]!["duration"]!.GetValue<string>());
        var first = Duration(await app.Arm.GetAsync(jobs));
        Assert.Equal(first, Duration(await app.Arm.GetAsync(jobs)));
        time.Advance(TimeSpan.FromMinutes(3));
        Assert.Equal(first + TimeSpan.FromMinutes(3), Duration(await app.Arm.GetAsync(jobs)));
    }
    [Fact]
    public async Task A_kept_answer_is_given_only_to_a_request_that_passes_every_check()
    {
        // Hits are answered by a middleware before the endpoint: the token, api-version and subscription checks must
        // still refuse as they do without the cache.
        var app = await EmulatorApp.SharedAsync();
        var rg = "rg-cachedchk-" + Guid.NewGuid().ToString("N")[..6];
        await app.Arm.ProtectedVmAsync(rg, "v1", "vmk");
        foreach (var path in new[] { ArmTestClient.ItemPath(rg, "v1", "vmk"), ArmTestClient.VaultPath(rg, "v1") + "/backupJobs" })
        {
            var url = ArmTestClient.WithVersion(path);
            Assert.Equal((await app.Arm.GetAsync(path)).ToJsonString(), (await app.Arm.GetAsync(path)).ToJsonString()); // kept now

            using var anonymous = app.NewHttpClient();
            using (var refused = await anonymous.GetAsync(url)) Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            using (var noVersion = await app.Client.GetAsync(path))
            {
                Assert.Equal(HttpStatusCode.BadRequest, noVersion.StatusCode);
                Assert.Contains("MissingApiVersionParameter", await noVersion.Content.ReadAsStringAsync());
            }
            using (var badVersion = await app.Client.GetAsync(ArmTestClient.WithVersion(path, "1999-01-01")))
                Assert.Equal(HttpStatusCode.BadRequest, badVersion.StatusCode);
            var badSubscription = url.Replace(ArmTestClient.Sub, "not-a-guid");
            using (var refusedSub = await app.Client.GetAsync(badSubscription))
                Assert.Contains("InvalidSubscriptionId", await refusedSub.Content.ReadAsStringAsync());
            using (var kept = await app.Client.GetAsync(url))
            {
                Assert.Equal(HttpStatusCode.OK, kept.StatusCode);
                Assert.Equal("application/json", kept.Content.Headers.ContentType?.MediaType);
            }
        }
    }

    [Fact]
    public async Task Requests_that_miss_the_same_answer_together_read_the_database_once()
    {
        // A client's many connections polling the jobs list all miss when the kept answer expires; one reads for all.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var app = await EmulatorApp.StartAsync(time);
        const string rg = "rg-cachedherd";
        await app.Arm.ProtectedVmAsync(rg, "v1", "vmh");
        var jobs = ArmTestClient.VaultPath(rg, "v1") + "/backupJobs";
        using var reads = new JobReads(app.DataDirectory);

        var single = reads.Count;
        var expected = (await app.Arm.GetAsync(jobs)).ToJsonString();
        single = reads.Count - single; // the statements one read of the list runs
        time.Advance(TimeSpan.FromSeconds(2)); // the kept answer is stale now

        var before = reads.Count;
        reads.HoldNext();
        var first = app.Arm.SendAsync(HttpMethod.Get, jobs);
        await reads.Held.WaitAsync(TimeSpan.FromMinutes(1)); // the first request is reading
        var others = Enumerable.Range(0, 19).Select(_ => app.Arm.SendAsync(HttpMethod.Get, jobs)).ToList();
        var cache = app.Service<ReadCache>();
        var deadline = Stopwatch.StartNew();
        while (cache.Waiting < 19 && deadline.Elapsed < TimeSpan.FromMinutes(1)) await Task.Delay(10); // a condition, polled
        Assert.Equal(19, cache.Waiting);
        reads.Release();

        foreach (var response in await Task.WhenAll(others.Prepend(first)))
            using (response)
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal(expected, System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!.ToJsonString());
            }
        Assert.Equal(single, reads.Count - before);
    }

    /// <summary>EF's statements on the jobs table of one app's database, counted; the next one can be held until released.</summary>
    private sealed class JobReads : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
    {
        private readonly string _database;
        private readonly IDisposable _all;
        private readonly List<IDisposable> _listeners = [];
        private readonly ManualResetEventSlim _release = new(true);
        private int _count, _hold;

        public JobReads(string database)
        {
            _database = database;
            _all = DiagnosticListener.AllListeners.Subscribe(this);
        }

        public int Count => Volatile.Read(ref _count);
        public SemaphoreSlim Held { get; } = new(0);

        public void HoldNext()
        {
            _release.Reset();
            Volatile.Write(ref _hold, 1);
        }

        public void Release() => _release.Set();

        public void OnNext(DiagnosticListener listener)
        {
            if (listener.Name == DbLoggerCategory.Name) lock (_listeners) _listeners.Add(listener.Subscribe(this));
        }

        public void OnNext(KeyValuePair<string, object?> e)
        {
            if (e.Key != RelationalEventId.CommandExecuting.Name || e.Value is not CommandEventData data
                || data.Command.Connection?.ConnectionString.Contains(_database) != true || !data.Command.CommandText.Contains("\"BackupJobs\"") || !data.Command.CommandText.Contains("\"StartTime\" DESC")) return;
            Interlocked.Increment(ref _count);
            if (Interlocked.Exchange(ref _hold, 0) == 1)
            {
                Held.Release();
                _release.Wait(TimeSpan.FromMinutes(1)); // EF's event is synchronous: the statement waits here
            }
        }

        public void OnCompleted() { }
        public void OnError(Exception error) { }

        public void Dispose()
        {
            _release.Set();
            _all.Dispose();
            lock (_listeners) foreach (var l in _listeners) l.Dispose();
        }
    }
}
