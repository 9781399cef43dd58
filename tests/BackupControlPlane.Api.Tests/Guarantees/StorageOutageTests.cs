using System.Net;
using BackupControlPlane.Api.Infrastructure;
using BackupControlPlane.Api.Tests.Features.Agents;
using BackupControlPlane.Api.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace BackupControlPlane.Api.Tests.Guarantees;

/// <summary>
/// Blob storage (Azurite) goes away in the middle of a backup and comes back: the backup in flight fails with a clear
/// error, the service says it is not ready and answers everything else, and once storage is back new backups succeed
/// without a restart. Uses its own Azurite so stopping it touches no other test.
/// </summary>
public sealed class StorageOutageTests : IAsyncLifetime
{
    private string _location = null!;
    private int _port;
    private AzuriteProcess? _azurite;

    public async Task InitializeAsync()
    {
        _location = Path.Combine(Path.GetTempPath(), "bcp-outage-azurite-" + Guid.NewGuid().ToString("N")[..8]);
        _port = AzuriteProcess.FreePort();
        await StartAzuriteAsync();
    }

    private async Task StartAzuriteAsync() =>
        _azurite = await AzuriteProcess.StartAsync(AzuriteProcess.FindInstallDirectory(AppContext.BaseDirectory)!, _location, _port, NullLogger.Instance, CancellationToken.None);

    public Task DisposeAsync()
    {
        _azurite?.Dispose();
        try { Directory.Delete(_location, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Azurite_stopped_mid_backup_fails_that_job_clearly_and_backups_resume_when_it_is_back()
    {
        using var app = await EmulatorApp.StartAsync(settings: new() { ["Storage:ConnectionString"] = _azurite!.ConnectionString });
        const string rg = "rg-outage";
        await app.Arm.ProtectedVmAsync(rg, "vault1", "vmout");
        var agent = await app.StartAgentAsync("vmout");
        var job = await app.Arm.WaitForJobAsync(rg, "vault1", (await app.Arm.BackupNowAsync(rg, "vault1", "vmout"))["name"]!.GetValue<string>());
        Assert.Equal("Completed", job["properties"]!["status"]!.GetValue<string>());

        // The agent holds the next task while storage goes down under it.
        await app.SetFaultAsync("vmout", new { mode = "late", seconds = 2 });
        var inFlight = (await app.Arm.BackupNowAsync(rg, "vault1", "vmout"))["name"]!.GetValue<string>();
        await Poll.Until(() => Task.FromResult(agent.SnapshotsTaken == 4), "the agent to take the second backup's snapshots");
        await _azurite.StopAsync(TimeSpan.FromSeconds(30));

        job = await app.Arm.WaitForJobAsync(rg, "vault1", inFlight, TimeSpan.FromMinutes(2));
        Assert.Equal("Failed", job["properties"]!["status"]!.GetValue<string>());
        Assert.Equal("ExtentionOperationFailed", ArmTestClient.ErrorOf(job));
        Assert.Contains("status blob failed", job["properties"]!["errorDetails"]![0]!["errorString"]!.GetValue<string>());

        await Poll.Until(async () => (await app.Client.GetAsync("/readyz")).StatusCode == HttpStatusCode.ServiceUnavailable, "/readyz to report not ready");
        // Everything that needs no storage still answers; what needs it says why, in ARM's shape, with Retry-After.
        Assert.Equal("Protected", (await app.Arm.GetAsync(ArmTestClient.ItemPath(rg, "vault1", "vmout")))["properties"]!["protectionState"]!.GetValue<string>());
        await app.Arm.GetAsync(ArmTestClient.VaultPath(rg, "vault1") + "/backupJobs");
        await app.SetFaultAsync("vmout", null);
        using (var refused = await app.Arm.SendAsync(HttpMethod.Post, ArmTestClient.ItemPath(rg, "vault1", "vmout") + "/backup", new { properties = new { objectType = "IaasVMBackupRequest" } }))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.NotNull(refused.Headers.RetryAfter);
            Assert.Contains("\"StorageUnavailable\"", await refused.Content.ReadAsStringAsync());
        }

        await StartAzuriteAsync();
        await Poll.Until(async () => (await app.Client.GetAsync("/readyz")).IsSuccessStatusCode, "/readyz to report ready again");
        job = await app.Arm.WaitForJobAsync(rg, "vault1", (await app.Arm.BackupNowAsync(rg, "vault1", "vmout"))["name"]!.GetValue<string>());
        Assert.True(job["properties"]!["status"]!.GetValue<string>() == "Completed", $"after the outage: {job}");
        Assert.Equal(2, (await app.Arm.GetAsync(ArmTestClient.ItemPath(rg, "vault1", "vmout") + "/recoveryPoints"))["value"]!.AsArray().Count);
    }
}
