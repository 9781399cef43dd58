using System.Net;
using System.Text.Json.Nodes;
using BackupControlPlane.Api.Tests.Infrastructure;
using static BackupControlPlane.Api.Tests.Features.Vaults.VaultSettingsTests;

namespace BackupControlPlane.Api.Tests.Features.Vaults;

/// <summary>
/// Vault DELETE and what the vault's soft-delete and immutability settings do to stop-and-delete and to policies
/// (issue 18): Azure's status per api-version, its refusals while items remain, soft delete per vault, BackupsSuspended.
/// </summary>
public sealed class VaultDeletionTests
{
    private static string NewRg(string what) => $"rg-vd-{what}-" + Guid.NewGuid().ToString("N")[..6];

    [Fact]
    public async Task An_empty_vault_is_deleted_with_the_status_its_api_version_expects_and_reads_404_at_once()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = NewRg("empty");
        await app.Arm.PutVaultAsync(rg, "old");
        await app.Arm.PutVaultAsync(rg, "new");
        Assert.Equal(HttpStatusCode.OK, (await Send(app, HttpMethod.Delete, ArmTestClient.VaultPath(rg, "old"), version: "2022-10-01")).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await Send(app, HttpMethod.Delete, ArmTestClient.VaultPath(rg, "new"), version: "2025-08-01")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Send(app, HttpMethod.Get, ArmTestClient.VaultPath(rg, "old"))).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Send(app, HttpMethod.Get, ArmTestClient.VaultPath(rg, "new"))).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await Send(app, HttpMethod.Delete, ArmTestClient.VaultPath(rg, "new"), version: "2025-08-01")).Status);
    }

    [Fact]
    public async Task A_vault_with_items_refuses_and_soft_delete_off_deletes_the_data_at_once_so_the_vault_can_go()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = NewRg("items");
        var v = ArmTestClient.VaultPath(rg, "vault1");
        await app.Arm.ProtectedVmAsync(rg, "vault1", "vmvd1");
        var (status, body) = await Send(app, HttpMethod.Delete, v, version: "2022-10-01");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("ServiceResourceNotEmptyWithContainerDetails", body!["error"]!["code"]!.GetValue<string>());
        Assert.Contains("existing resources within the vault", body["error"]!["message"]!.GetValue<string>());

        // Soft delete on (the default): the item waits, and blocks the vault with the soft-delete message.
        var item = ArmTestClient.ItemPath(rg, "vault1", "vmvd1");
        Assert.Equal(HttpStatusCode.Accepted, (await Send(app, HttpMethod.Delete, item)).Status);
        (status, body) = await Send(app, HttpMethod.Delete, v);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("ServiceResourceNotEmptyWithBackendMessage", body!["error"]!["code"]!.GetValue<string>());

        // Undelete, turn soft delete off, delete again: gone at once, then the vault goes.
        var undelete = $$$"""{"properties":{"protectedItemType":"Microsoft.Compute/virtualMachines","protectionState":"ProtectionStopped","sourceResourceId":"{{{ArmTestClient.VmPath(rg, "vmvd1")}}}","isRehydrate":true}}""";
        Assert.Equal(HttpStatusCode.Accepted, (await Send(app, HttpMethod.Put, item, undelete)).Status);
        await Ok(app, HttpMethod.Patch, v + "/backupconfig/vaultconfig", """{"properties":{"softDeleteFeatureState":"Disabled"}}""");
        Assert.Equal(HttpStatusCode.Accepted, (await Send(app, HttpMethod.Delete, item)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Send(app, HttpMethod.Get, item)).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await Send(app, HttpMethod.Delete, v)).Status);
    }

    [Fact]
    public async Task Soft_deleted_data_waits_the_vaults_own_retention_days()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = NewRg("days");
        var v = ArmTestClient.VaultPath(rg, "vault1");
        await app.Arm.ProtectedVmAsync(rg, "vault1", "vmvd2");
        await Ok(app, HttpMethod.Patch, v, """{"properties":{"securitySettings":{"softDeleteSettings":{"softDeleteState":"Enabled","softDeleteRetentionPeriodInDays":45}}}}""");
        var before = DateTimeOffset.UtcNow;
        var item = ArmTestClient.ItemPath(rg, "vault1", "vmvd2");
        Assert.Equal(HttpStatusCode.Accepted, (await Send(app, HttpMethod.Delete, item)).Status);
        var props = (await app.Arm.GetAsync(item))["properties"]!;
        Assert.True(props["isScheduledForDeferredDelete"]!.GetValue<bool>());
        var purgeAt = props["deferredDeleteTimeInUTC"]!.GetValue<DateTimeOffset>();
        Assert.InRange(purgeAt, before.AddDays(45).AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(45).AddMinutes(1));
    }

    [Fact]
    public async Task An_immutable_vault_refuses_deleting_unexpired_points_and_reducing_retention_and_allows_BackupsSuspended()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = NewRg("imm");
        var v = ArmTestClient.VaultPath(rg, "vault1");
        const string vm = "vmvdimm";
        await app.Arm.ProtectedVmAsync(rg, "vault1", vm);
        var item = ArmTestClient.ItemPath(rg, "vault1", vm);
        var suspend = $$$"""{"properties":{"protectedItemType":"Microsoft.Compute/virtualMachines","protectionState":"BackupsSuspended","sourceResourceId":"{{{ArmTestClient.VmPath(rg, vm)}}}"}}""";
        await Refused(app, HttpMethod.Put, item, suspend, "UserErrorOperationDeniedOnImmutableItem");

        await app.StartAgentAsync(vm);
        var first = ArmTestClient.BackupJobOf(await app.Arm.RunDueAsync(rg), vm);
        Assert.Equal("Completed", (await app.Arm.WaitForJobAsync(rg, "vault1", first))["properties"]!["status"]!.GetValue<string>());
        await Ok(app, HttpMethod.Patch, v, """{"properties":{"securitySettings":{"immutabilitySettings":{"state":"Unlocked"}}}}""");

        // Stop-and-delete is accepted, and its operation fails with Azure's code; the item and its points stay.
        using var delete = await app.Arm.SendAsync(HttpMethod.Delete, item);
        Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        using var op = await app.Client.GetAsync(delete.Headers.GetValues("Azure-AsyncOperation").Single());
        var status = JsonNode.Parse(await op.Content.ReadAsStringAsync())!;
        Assert.Equal("Failed", status["status"]!.GetValue<string>());
        Assert.Equal("UserErrorDeleteBackupItemOnImmutableItem", status["error"]!["code"]!.GetValue<string>());
        Assert.Null((await app.Arm.GetAsync(item))["properties"]!["isScheduledForDeferredDelete"]);

        // Reducing DefaultPolicy's 30 daily days is refused; lengthening is allowed.
        var policy = $"{v}/backupPolicies/DefaultPolicy";
        var current = await app.Arm.GetAsync(policy);
        current["properties"]!["retentionPolicy"]!["dailySchedule"]!["retentionDuration"]!["count"] = 7;
        await Refused(app, HttpMethod.Put, policy, current.ToJsonString(), "UserErrorOperationDeniedOnImmutableItem");
        current["properties"]!["retentionPolicy"]!["dailySchedule"]!["retentionDuration"]!["count"] = 60;
        await Ok(app, HttpMethod.Put, policy, current.ToJsonString());

        // Backups suspended: the item keeps its policy and points, scheduled backups stop.
        using (var suspended = await app.Arm.SendAsync(HttpMethod.Put, item, suspend)) Assert.Equal(HttpStatusCode.Accepted, suspended.StatusCode);
        var props = (await app.Arm.GetAsync(item))["properties"]!;
        Assert.Equal("BackupsSuspended", props["protectionState"]!.GetValue<string>());
        Assert.EndsWith("/backupPolicies/DefaultPolicy", props["policyId"]!.GetValue<string>());
        // The next slots start no backup for it (the only job listed, if any, is the first slot's).
        Assert.All((await app.Arm.RunDueAsync(rg, DateTimeOffset.UtcNow.AddDays(2)))["jobs"]!.AsArray(), j => Assert.Equal(first, j!["name"]!.GetValue<string>()));
    }
}
