using System.Net;
using BackupControlPlane.Api.Features.Backups;
using BackupControlPlane.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace BackupControlPlane.Api.Tests.Features.Backups;

/// <summary>The daily retention run against real points and blobs, on a fake clock.</summary>
public sealed class RetentionTests
{
    [Fact]
    public async Task An_on_demand_point_and_its_blobs_go_at_its_expiry_while_a_scheduled_point_stays_30_days()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var app = await EmulatorApp.StartAsync(time);
        const string rg = "rg-retention";
        await app.Arm.ProtectedVmAsync(rg, "vault1", "vmret");
        await app.StartAgentAsync("vmret");
        var item = ArmTestClient.ItemPath(rg, "vault1", "vmret");

        var due = await app.Arm.RunDueAsync(rg); // DefaultPolicy: kept 30 days
        await app.Arm.WaitForJobAsync(rg, "vault1", ArmTestClient.BackupJobOf(due, "vmret"));
        using (var now = await app.Arm.SendAsync(HttpMethod.Post, item + "/backup", new { properties = new { objectType = "IaasVMBackupRequest", recoveryPointExpiryTimeInUTC = time.GetUtcNow().AddDays(3) } }))
            Assert.Equal(HttpStatusCode.Accepted, now.StatusCode);
        var onDemand = (await app.Arm.GetAsync(ArmTestClient.VaultPath(rg, "vault1") + "/backupJobs?$filter=" + Uri.EscapeDataString("operation eq 'Backup' and status eq 'InProgress'")))["value"]!.AsArray();
        await app.Arm.WaitForJobAsync(rg, "vault1", Assert.Single(onDemand)!["name"]!.GetValue<string>());
        Assert.Equal(2, (await app.Arm.GetAsync(item + "/recoveryPoints"))["value"]!.AsArray().Count);
        var dataId = (await app.Arm.GetAsync(item))["properties"]!["protectedItemDataId"]!.GetValue<string>();
        Assert.Equal(4, await VaultCopiesAsync(app, dataId)); // two points, two disks each

        time.Advance(TimeSpan.FromDays(4));
        await app.RenewTokenAsync();
        var result = await RunAsync(app);
        Assert.Equal(1, result.RecoveryPointsDeleted);
        var left = Assert.Single((await app.Arm.GetAsync(item + "/recoveryPoints"))["value"]!.AsArray())!;
        Assert.True(DateTimeOffset.Parse(left["properties"]!["recoveryPointExpiryTimeInUTC"]!.GetValue<string>()) > time.GetUtcNow().AddDays(25));
        Assert.Equal(2, await VaultCopiesAsync(app, dataId)); // the on-demand point's two disk copies are gone

        time.Advance(TimeSpan.FromDays(27));
        await app.RenewTokenAsync();
        Assert.Equal(1, (await RunAsync(app)).RecoveryPointsDeleted);
        Assert.Empty((await app.Arm.GetAsync(item + "/recoveryPoints"))["value"]!.AsArray());
        Assert.Equal(0, await VaultCopiesAsync(app, dataId));
    }

    private static async Task<RetentionPruner.Result> RunAsync(EmulatorApp app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<RetentionPruner>().RunAsync(CancellationToken.None);
    }

    /// <summary>This item's copies only: other tests share the Azurite.</summary>
    private static async Task<int> VaultCopiesAsync(EmulatorApp app, string dataId)
    {
        var n = 0;
        await foreach (var c in app.Blobs.GetBlobContainersAsync(prefix: "vault-"))
            await foreach (var _ in app.Blobs.GetBlobContainerClient(c.Name).GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = dataId + "/" })) n++;
        return n;
    }
}
