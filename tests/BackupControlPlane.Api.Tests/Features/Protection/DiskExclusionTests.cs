using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Tests.Infrastructure;
using BackupControlPlane.Contracts;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BackupControlPlane.Api.Tests.Features.Protection;

/// <summary>
/// Selective disk backup from the agent's side: the snapshot task hands the extension the included disks only, the
/// vault copy holds only those, and the recovery point and job say which disks were left out.
/// </summary>
public sealed class DiskExclusionTests
{
    private const string Vault = "v1";

    [Fact]
    public async Task An_excluded_LUN_is_never_handed_to_the_agent_copied_to_the_vault_or_restorable()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = "rg-diskx-" + Guid.NewGuid().ToString("N")[..6];
        var vm = "vmdiskx" + Guid.NewGuid().ToString("N")[..6]; // the shared app finds agents by VM name
        await app.Arm.PutVaultAsync(rg, Vault);
        await app.Arm.PutVmAsync(rg, vm, dataDisks: 3);
        using (var enabled = await EnableAsync(app, rg, vm, new { diskLunList = new[] { 1 }, isInclusionList = false }))
            Assert.Equal(HttpStatusCode.Accepted, enabled.StatusCode);
        var setting = (await app.Arm.GetAsync(ArmTestClient.ItemPath(rg, Vault, vm)))["properties"]!["extendedProperties"]!["diskExclusionProperties"]!;
        Assert.Equal("[1]", setting["diskLunList"]!.ToJsonString());
        Assert.False(setting["isInclusionList"]!.GetValue<bool>());

        var job = ArmTestClient.BackupJobOf(await app.Arm.RunDueAsync(rg), vm);

        // The task's protected settings, as the agent decrypts them: the OS disk and LUNs 0 and 2, never LUN 1.
        using (var identity = await app.RegisterAgentAsync(vm))
        {
            using var http = app.NewHttpClient();
            using var request = new HttpRequestMessage(HttpMethod.Get, AgentRoutes.GoalState + "?waitSeconds=0");
            request.Headers.Authorization = new AuthenticationHeaderValue("VmAgent", identity.Credential);
            using var response = await http.SendAsync(request);
            response.EnsureSuccessStatusCode();
            var state = (await response.Content.ReadFromJsonAsync<AgentGoalState>())!;
            var uris = ObjectStr.Decode(identity.Decrypt(state.Extensions.Single().ProtectedSettings!).ObjectStr);
            Assert.Equal(3, uris.Count);
            Assert.Contains(uris, u => u.Contains($"{vm}-os.vhd"));
            Assert.Contains(uris, u => u.Contains($"{vm}-data0.vhd"));
            Assert.Contains(uris, u => u.Contains($"{vm}-data2.vhd"));
            Assert.DoesNotContain(uris, u => u.Contains($"{vm}-data1.vhd"));
        }

        await app.StartAgentAsync(vm);
        var done = await app.Arm.WaitForJobAsync(rg, Vault, job);
        Assert.Equal("Completed", done["properties"]!["status"]!.GetValue<string>());
        var bag = done["properties"]!["extendedInfo"]!["propertyBag"]!;
        Assert.Equal($"{vm}-data1", bag["Excluded disk(s)"]!.GetValue<string>());

        // The recovery point: counts in the list, the disks on the point itself.
        var listed = Assert.Single((await app.Arm.GetAsync(ArmTestClient.ItemPath(rg, Vault, vm) + "/recoveryPoints"))["value"]!.AsArray())!;
        var counts = listed["properties"]!["recoveryPointDiskConfiguration"]!;
        Assert.Equal(3, counts["numberOfDisksIncludedInBackup"]!.GetValue<int>());
        Assert.Equal(4, counts["numberOfDisksAttachedToVm"]!.GetValue<int>());
        var rp = listed["name"]!.GetValue<string>();
        var config = (await app.Arm.GetAsync(ArmTestClient.ItemPath(rg, Vault, vm) + "/recoveryPoints/" + rp))["properties"]!["recoveryPointDiskConfiguration"]!;
        Assert.Equal([-1, 0, 2], config["includedDiskList"]!.AsArray().Select(d => d!["lun"]!.GetValue<int>()));
        var excluded = Assert.Single(config["excludedDiskList"]!.AsArray())!;
        Assert.Equal(1, excluded["lun"]!.GetValue<int>());
        Assert.Equal($"{vm}-data1", excluded["name"]!.GetValue<string>());

        // The vault holds the three included disks and nothing of LUN 1.
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var disks = await scope.ServiceProvider.GetRequiredService<BackupDbContext>().RecoveryPointDisks.Where(d => d.RecoveryPointId ==
                scope.ServiceProvider.GetRequiredService<BackupDbContext>().RecoveryPoints.Where(r => r.Name == rp).Select(r => r.Id).First()).ToListAsync();
            Assert.Equal([-1, 0, 2], disks.Select(d => d.Lun).Order());
            var prefix = disks[0].VaultBlobName![..(disks[0].VaultBlobName!.LastIndexOf('/') + 1)];
            var blobs = new List<string>();
            await foreach (var blob in app.Blobs.GetBlobContainerClient(disks[0].VaultContainer).GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = prefix })) blobs.Add(blob.Name[prefix.Length..]);
            Assert.Equal(["disk-0.vhd", "disk-2.vhd", "disk-os.vhd"], blobs.Order());
        }

        // Restoring the excluded LUN is refused; nothing starts.
        using var restore = await app.Arm.SendAsync(HttpMethod.Post, ArmTestClient.ItemPath(rg, Vault, vm) + $"/recoveryPoints/{rp}/restore", new
        {
            properties = new
            {
                objectType = "IaasVMRestoreRequest", recoveryType = "RestoreDisks", recoveryPointId = rp, region = "eastus",
                sourceResourceId = ArmTestClient.VmPath(rg, vm), restoreDiskLunList = new[] { 1 },
                storageAccountId = $"{ArmTestClient.Rg(rg)}/providers/Microsoft.Storage/storageAccounts/diskxsa",
            },
        });
        var error = JsonNode.Parse(await restore.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal(HttpStatusCode.BadRequest, restore.StatusCode);
        Assert.Equal("BMSUserErrorInvalidInput", error["code"]!.GetValue<string>());
        Assert.Contains("excluded from the backup", error["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_policy_change_keeps_the_setting_and_an_empty_extendedProperties_resets_it()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = "rg-diskx-" + Guid.NewGuid().ToString("N")[..6];
        const string vm = "vmdiskxkeep";
        await app.Arm.PutVaultAsync(rg, Vault);
        await app.Arm.PutVmAsync(rg, vm, dataDisks: 2);
        (await EnableAsync(app, rg, vm, new { diskLunList = Array.Empty<int>(), isInclusionList = true })).Dispose(); // OS disk only
        (await app.Arm.EnableProtectionAsync(rg, Vault, vm)).Dispose(); // a PUT without extendedProperties, as set-policy sends
        var kept = (await app.Arm.GetAsync(ArmTestClient.ItemPath(rg, Vault, vm)))["properties"]!["extendedProperties"]!["diskExclusionProperties"]!;
        Assert.Equal("[]", kept["diskLunList"]!.ToJsonString());
        Assert.True(kept["isInclusionList"]!.GetValue<bool>());

        (await EnableAsync(app, rg, vm, null)).Dispose(); // extendedProperties {} : the CLI's resetexclusionsettings
        Assert.Null((await app.Arm.GetAsync(ArmTestClient.ItemPath(rg, Vault, vm)))["properties"]!["extendedProperties"]);
    }

    /// <summary>The PUT the CLI sends, with <c>extendedProperties</c>: <paramref name="disks"/> null sends it empty (reset).</summary>
    private static Task<HttpResponseMessage> EnableAsync(EmulatorApp app, string rg, string vm, object? disks) =>
        app.Arm.SendAsync(HttpMethod.Put, ArmTestClient.ItemPath(rg, Vault, vm), new
        {
            properties = new
            {
                protectedItemType = "Microsoft.Compute/virtualMachines", sourceResourceId = ArmTestClient.VmPath(rg, vm),
                policyId = $"{ArmTestClient.VaultPath(rg, Vault)}/backupPolicies/DefaultPolicy",
                extendedProperties = disks is null ? (object)new { } : new { diskExclusionProperties = disks },
            },
        });
}
