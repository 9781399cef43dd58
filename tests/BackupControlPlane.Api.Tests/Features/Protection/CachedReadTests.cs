using System.Net;
using System.Xml;
using BackupControlPlane.Api.Tests.Infrastructure;
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
}
