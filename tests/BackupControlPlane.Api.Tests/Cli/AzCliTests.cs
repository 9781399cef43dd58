using System.Text.Json.Nodes;
using BackupControlPlane.Api.Tests.Infrastructure;
using Xunit.Abstractions;

namespace BackupControlPlane.Api.Tests.Cli;

/// <summary>
/// The real Azure CLI, unmodified, against the emulator running as its own process. Each test has its own resource
/// group; VMs (and, where the command under test comes later, vaults and protection) are made through ARM directly,
/// so every az command is exercised in exactly one place and a missing endpoint fails only the tests that need it.
/// What the emulator lacks is written up in Cli/FINDINGS.md.
/// </summary>
[Collection(AzCliCollection.Name)]
public sealed class AzCliTests(AzCliFixture fx, ITestOutputHelper output)
{
    private const string Vault = "vault1";
    private const string Vm = "vm1";

    [Fact]
    public async Task Vault_create_prints_the_new_vault_and_show_finds_it()
    {
        var s = Scenario("vault-create");

        var created = (await s.Az("backup", "vault", "create", "-g", s.Rg, "-n", Vault, "-l", "eastus", "-o", "json")).Json("F1");
        Assert.Equal(Vault, created["name"]!.GetValue<string>());
        Assert.Equal("Microsoft.RecoveryServices/vaults", created["type"]!.GetValue<string>());
        Assert.Equal("eastus", created["location"]!.GetValue<string>());
        Assert.Equal("Succeeded", created["properties"]!["provisioningState"]!.GetValue<string>());

        var shown = (await s.Az("backup", "vault", "show", "-g", s.Rg, "-n", Vault, "-o", "json")).Json();
        Assert.Equal(created["id"]!.GetValue<string>(), shown["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Vault_list_and_show_and_the_DefaultPolicy_through_policy_list_and_show()
    {
        var s = Scenario("vault-read");
        await fx.Arm.PutVaultAsync(s.Rg, Vault);

        var vaults = (await s.Az("backup", "vault", "list", "-g", s.Rg, "-o", "json")).Json().AsArray();
        var vault = Assert.Single(vaults)!;
        Assert.Equal(ArmTestClient.VaultPath(s.Rg, Vault), vault["id"]!.GetValue<string>());
        Assert.Equal(s.Rg, vault["resourceGroup"]!.GetValue<string>());

        var shown = (await s.Az("backup", "vault", "show", "-g", s.Rg, "-n", Vault, "-o", "json")).Json();
        Assert.Equal(Vault, shown["name"]!.GetValue<string>());
        Assert.Equal("Standard", shown["sku"]!["tier"]!.GetValue<string>());

        var policies = (await s.Az("backup", "policy", "list", "-g", s.Rg, "-v", Vault, "-o", "json")).Json().AsArray();
        AzCliAssert.DefaultPolicy(policies.Single(p => p!["name"]!.GetValue<string>() == "DefaultPolicy")!);

        AzCliAssert.DefaultPolicy((await s.Az("backup", "policy", "show", "-g", s.Rg, "-v", Vault, "-n", "DefaultPolicy", "-o", "json")).Json());

        // Storage and security configuration, consistent with what the vault itself reports.
        var config = (await s.Az("backup", "vault", "backup-properties", "show", "-g", s.Rg, "-n", Vault, "-o", "json")).Json("F6").AsArray();
        var storage = config.Single(c => c!["name"]!.GetValue<string>() == "vaultstorageconfig")!["properties"]!;
        Assert.Equal(shown["properties"]!["redundancySettings"]!["standardTierStorageRedundancy"]!.GetValue<string>(), storage["storageModelType"]!.GetValue<string>());
        var security = config.Single(c => c!["name"]!.GetValue<string>() == "vaultconfig")!["properties"]!;
        Assert.Equal(shown["properties"]!["securitySettings"]!["softDeleteSettings"]!["softDeleteState"]!.GetValue<string>(), security["softDeleteFeatureState"]!.GetValue<string>());
    }

    [Fact]
    public async Task Policy_create_set_and_delete_from_a_JSON_file_as_the_docs_show()
    {
        var s = Scenario("policy");
        await fx.Arm.PutVaultAsync(s.Rg, Vault);

        // The documented way: start from an existing policy's JSON, edit it, pass it with --policy @file.
        var policy = (await s.Az("backup", "policy", "show", "-g", s.Rg, "-v", Vault, "-n", "DefaultPolicy", "-o", "json")).Json();
        policy["properties"]!["retentionPolicy"]!["dailySchedule"]!["retentionDuration"]!["count"] = 45;
        var created = (await s.Az("backup", "policy", "create", "-g", s.Rg, "-v", Vault, "-n", "Daily45", "--backup-management-type", "AzureIaasVM",
            "--policy", "@" + fx.WriteFile("daily45.json", policy.ToJsonString()), "-o", "json")).Json();
        Assert.Equal("Daily45", created["name"]!.GetValue<string>());
        Assert.Equal(45, created["properties"]!["retentionPolicy"]!["dailySchedule"]!["retentionDuration"]!["count"]!.GetValue<int>());

        created["properties"]!["retentionPolicy"]!["dailySchedule"]!["retentionDuration"]!["count"] = 60;
        var changed = (await s.Az("backup", "policy", "set", "-g", s.Rg, "-v", Vault, "-n", "Daily45",
            "--policy", "@" + fx.WriteFile("daily60.json", created.ToJsonString()), "-o", "json")).Json();
        Assert.Equal(60, changed["properties"]!["retentionPolicy"]!["dailySchedule"]!["retentionDuration"]!["count"]!.GetValue<int>());

        (await s.Az("backup", "policy", "delete", "-g", s.Rg, "-v", Vault, "-n", "Daily45")).AssertSucceeded();
        var names = (await s.Az("backup", "policy", "list", "-g", s.Rg, "-v", Vault, "-o", "json")).Json().AsArray().Select(p => p!["name"]!.GetValue<string>());
        Assert.DoesNotContain("Daily45", names);
        Assert.Contains("DefaultPolicy", names);
    }

    /// <summary>
    /// The everyday flow, in order: enable protection, let the scheduler run the first backup, then read it back with
    /// job, item, recovery-point and VM-extension commands.
    /// </summary>
    [Fact]
    public async Task Enable_for_vm_then_the_first_scheduled_backup_shows_in_jobs_items_recovery_points_and_VM_extensions()
    {
        var s = Scenario("flow");
        const string winVm = "vm2";
        await fx.Arm.PutVmAsync(s.Rg, Vm, "Linux");
        await fx.Arm.PutVmAsync(s.Rg, winVm, "Windows", dataDisks: 0);
        await fx.Arm.PutVaultAsync(s.Rg, Vault);

        // No snapshot extension before the first backup.
        var before = await s.Az("vm", "extension", "list", "-g", s.Rg, "--vm-name", Vm, "-o", "table");
        before.AssertSucceeded();
        Assert.DoesNotContain("VMSnapshot", before.StdOut);

        // --debug to count the requests the CLI makes; it writes to stderr, stdout stays the JSON result.
        var enable = await s.Az(r => $"{r.ArmRequests.Count} ARM requests, {r.TokenRequests} token requests",
            "backup", "protection", "enable-for-vm", "-g", s.Rg, "-v", Vault, "--vm", Vm, "-p", "DefaultPolicy", "-o", "json", "--debug");
        var configure = enable.Json();
        var requests = enable.ArmRequests;
        s.Note($"enable-for-vm: {requests.Count} ARM requests + {enable.TokenRequests} token requests:\n  " + string.Join("\n  ", requests));
        Assert.Equal("ConfigureBackup", configure["properties"]!["operation"]!.GetValue<string>());
        Assert.Equal("Completed", configure["properties"]!["status"]!.GetValue<string>());
        Assert.Equal(Vm, configure["properties"]!["entityFriendlyName"]!.GetValue<string>());
        Assert.Single(requests, r => r.Contains("/protectedItems/") && r.Contains("VM%3Biaasvmcontainerv2%3B", StringComparison.OrdinalIgnoreCase));

        // The Windows VM is protected through ARM: it only has to show the Windows extension later.
        Assert.Equal(System.Net.HttpStatusCode.Accepted, (await fx.Arm.EnableProtectionAsync(s.Rg, Vault, winVm)).StatusCode);

        // Which vault protects the VM, and which items the policy covers.
        var protectingVault = (await s.Az("backup", "protection", "check-vm", "--vm", ArmTestClient.VmPath(s.Rg, Vm), "-o", "json")).Json("F8");
        Assert.Equal(ArmTestClient.VaultPath(s.Rg, Vault), protectingVault.GetValue<string>(), ignoreCase: true);
        var associated = (await s.Az("backup", "policy", "list-associated-items", "-g", s.Rg, "-v", Vault, "-n", "DefaultPolicy", "-o", "json")).Json("F7").AsArray();
        Assert.Equal([Vm, winVm], associated.Select(i => i!["properties"]!["friendlyName"]!.GetValue<string>()).Order());

        var items = (await s.Az("backup", "item", "list", "-g", s.Rg, "-v", Vault, "-o", "json")).Json().AsArray();
        var item = items.Single(i => i!["properties"]!["friendlyName"]!.GetValue<string>() == Vm)!;
        Assert.Equal($"VM;iaasvmcontainerv2;{s.Rg};{Vm}", item["name"]!.GetValue<string>());
        Assert.Equal("IRPending", item["properties"]!["protectionState"]!.GetValue<string>());
        Assert.Equal("DefaultPolicy", item["properties"]!["policyName"]!.GetValue<string>());

        var shownItem = (await s.Az("backup", "item", "show", "-g", s.Rg, "-v", Vault, "-c", Vm, "-n", Vm, "--backup-management-type", "AzureIaasVM", "-o", "json")).Json();
        Assert.Equal(item["id"]!.GetValue<string>(), shownItem["id"]!.GetValue<string>());

        // The first scheduled backup, now rather than at 19:00.
        var runDue = await fx.Arm.RunDueAsync(s.Rg);
        var backupJob = ArmTestClient.BackupJobOf(runDue, Vm);

        var jobs = (await s.Az("backup", "job", "list", "-g", s.Rg, "-v", Vault, "-o", "json")).Json().AsArray();
        Assert.Contains(jobs, j => j!["name"]!.GetValue<string>() == backupJob && j["properties"]!["operation"]!.GetValue<string>() == "Backup");
        Assert.Contains(jobs, j => j!["properties"]!["operation"]!.GetValue<string>() == "ConfigureBackup" && j["properties"]!["entityFriendlyName"]!.GetValue<string>() == Vm);

        // job wait polls every 30 s while InProgress; the demo agent finishes well within az's own start-up.
        var waited = (await s.Az("backup", "job", "wait", "-g", s.Rg, "-v", Vault, "-n", backupJob, "-o", "json")).Json();
        Assert.Equal("Completed", waited["properties"]!["status"]!.GetValue<string>());

        var job = (await s.Az("backup", "job", "show", "-g", s.Rg, "-v", Vault, "-n", backupJob, "-o", "json")).Json();
        Assert.Equal("Backup", job["properties"]!["operation"]!.GetValue<string>());
        Assert.Equal("Completed", job["properties"]!["status"]!.GetValue<string>());
        var tasks = job["properties"]!["extendedInfo"]!["tasksList"]!.AsArray();
        Assert.Equal(["Take Snapshot", "Transfer data to vault"], tasks.Select(t => t!["taskId"]!.GetValue<string>()));
        Assert.All(tasks, t => Assert.Equal("Completed", t!["status"]!.GetValue<string>()));

        var linuxExt = await s.Az("vm", "extension", "list", "-g", s.Rg, "--vm-name", Vm, "-o", "table");
        AzCliAssert.SnapshotExtensionRow(linuxExt, "VMSnapshotLinux");
        await fx.Arm.WaitForJobAsync(s.Rg, Vault, ArmTestClient.BackupJobOf(runDue, winVm));
        var windowsExt = await s.Az("vm", "extension", "list", "-g", s.Rg, "--vm-name", winVm, "-o", "table");
        AzCliAssert.SnapshotExtensionRow(windowsExt, "VMSnapshot");

        var protectedItem = (await s.Az("backup", "item", "show", "-g", s.Rg, "-v", Vault, "-c", Vm, "-n", Vm, "--backup-management-type", "AzureIaasVM", "-o", "json")).Json();
        Assert.Equal("Protected", protectedItem["properties"]!["protectionState"]!.GetValue<string>());
        Assert.Equal("Completed", protectedItem["properties"]!["lastBackupStatus"]!.GetValue<string>());

        var points = (await s.Az("backup", "recoverypoint", "list", "-g", s.Rg, "-v", Vault, "-c", Vm, "-i", Vm, "--backup-management-type", "AzureIaasVM", "-o", "json")).Json().AsArray();
        var point = Assert.Single(points)!;
        Assert.Equal("IaasVMRecoveryPoint", point["properties"]!["objectType"]!.GetValue<string>());
        Assert.Contains(point["properties"]!["recoveryPointTierDetails"]!.AsArray(), t => t!["type"]!.GetValue<string>() == "InstantRP");
        var rpName = point["name"]!.GetValue<string>();

        var shownPoint = (await s.Az("backup", "recoverypoint", "show", "-g", s.Rg, "-v", Vault, "-c", Vm, "-i", Vm, "--backup-management-type", "AzureIaasVM", "-n", rpName, "-o", "json")).Json();
        Assert.Equal(point["id"]!.GetValue<string>(), shownPoint["id"]!.GetValue<string>());
        Assert.Equal("Linux", shownPoint["properties"]!["osType"]!.GetValue<string>());
    }

    [Fact]
    public async Task Backup_now_starts_a_backup_job_that_job_wait_sees_complete()
    {
        var s = Scenario("backup-now");
        await ProtectedVmAsync(s);

        var started = (await s.Az("backup", "protection", "backup-now", "-g", s.Rg, "-v", Vault, "-c", Vm, "-i", Vm,
            "--backup-management-type", "AzureIaasVM", "-o", "json")).Json("F2");
        Assert.Equal("Backup", started["properties"]!["operation"]!.GetValue<string>());
        Assert.Equal(Vm, started["properties"]!["entityFriendlyName"]!.GetValue<string>());
        Assert.Contains(started["properties"]!["status"]!.GetValue<string>(), new[] { "InProgress", "Completed" });

        var waited = (await s.Az("backup", "job", "wait", "-g", s.Rg, "-v", Vault, "-n", started["name"]!.GetValue<string>(), "-o", "json")).Json();
        Assert.Equal("Completed", waited["properties"]!["status"]!.GetValue<string>());

        var points = (await s.Az("backup", "recoverypoint", "list", "-g", s.Rg, "-v", Vault, "-c", Vm, "-i", Vm, "--backup-management-type", "AzureIaasVM", "-o", "json")).Json().AsArray();
        Assert.Single(points);
    }

    [Fact]
    public async Task Disable_protection_stops_backups_and_keeps_the_recovery_points()
    {
        var s = Scenario("disable");
        await ProtectedVmAsync(s);
        await BackedUpAsync(s);

        var job = (await s.Az("backup", "protection", "disable", "-g", s.Rg, "-v", Vault, "-c", Vm, "-i", Vm,
            "--backup-management-type", "AzureIaasVM", "--yes", "-o", "json")).Json("F3");
        Assert.Equal("DisableBackup", job["properties"]!["operation"]!.GetValue<string>());
        Assert.Equal("Completed", job["properties"]!["status"]!.GetValue<string>());

        var item = (await s.Az("backup", "item", "show", "-g", s.Rg, "-v", Vault, "-c", Vm, "-n", Vm, "--backup-management-type", "AzureIaasVM", "-o", "json")).Json();
        Assert.Equal("ProtectionStopped", item["properties"]!["protectionState"]!.GetValue<string>());

        var points = (await s.Az("backup", "recoverypoint", "list", "-g", s.Rg, "-v", Vault, "-c", Vm, "-i", Vm, "--backup-management-type", "AzureIaasVM", "-o", "json")).Json().AsArray();
        Assert.Single(points);
    }

    [Fact]
    public async Task Disable_protection_with_delete_backup_data_deletes_the_item_or_soft_deletes_it_as_the_vault_says()
    {
        var s = Scenario("delete");
        await ProtectedVmAsync(s);
        await BackedUpAsync(s);

        var job = (await s.Az("backup", "protection", "disable", "-g", s.Rg, "-v", Vault, "-c", Vm, "-i", Vm,
            "--backup-management-type", "AzureIaasVM", "--delete-backup-data", "true", "--yes", "-o", "json")).Json("F4");
        Assert.Equal("DeleteBackupData", job["properties"]!["operation"]!.GetValue<string>());
        Assert.Equal("Completed", job["properties"]!["status"]!.GetValue<string>());

        // With soft delete on (the vault says so), Azure keeps the item, stopped and scheduled for deletion after the
        // retention period; without it, the item is gone.
        var vault = await fx.Arm.GetAsync(ArmTestClient.VaultPath(s.Rg, Vault), "2022-10-01");
        var softDelete = vault["properties"]?["securitySettings"]?["softDeleteSettings"];
        var items = (await s.Az("backup", "item", "list", "-g", s.Rg, "-v", Vault, "-o", "json")).Json().AsArray();
        if (softDelete?["softDeleteState"]?.GetValue<string>() is "Enabled" or "AlwaysOn")
        {
            var item = Assert.Single(items)!["properties"]!;
            Assert.True(item["isScheduledForDeferredDelete"]?.GetValue<bool>() == true, $"a soft-deleted item expected: {item}");
            var deleteAt = DateTimeOffset.Parse(item["deferredDeleteTimeInUtc"]!.GetValue<string>());
            var days = softDelete["softDeleteRetentionPeriodInDays"]?.GetValue<int>() ?? 14;
            Assert.InRange(deleteAt, DateTimeOffset.UtcNow.AddDays(days).AddHours(-1), DateTimeOffset.UtcNow.AddDays(days).AddHours(1));
        }
        else
        {
            Assert.Empty(items);
        }
    }

    [Fact]
    public async Task Restore_disks_runs_a_Restore_job_that_names_the_storage_account_and_the_config_blob()
    {
        var s = Scenario("restore");
        await ProtectedVmAsync(s);
        await BackedUpAsync(s);
        var points = await fx.Arm.GetAsync(ArmTestClient.ItemPath(s.Rg, Vault, Vm) + "/recoveryPoints");
        var rp = points["value"]!.AsArray().Single()!["name"]!.GetValue<string>();

        // The CLI prints the job as soon as the operation is accepted: a Restore job, usually still InProgress.
        var started = (await s.Az("backup", "restore", "restore-disks", "-g", s.Rg, "-v", Vault, "-c", Vm, "-i", Vm, "-r", rp,
            "--storage-account", "azclirestore", "-o", "json")).Json("F5");
        Assert.Equal("Restore", started["properties"]!["operation"]!.GetValue<string>());
        Assert.Equal(Vm, started["properties"]!["entityFriendlyName"]!.GetValue<string>());

        var job = (await s.Az("backup", "job", "wait", "-g", s.Rg, "-v", Vault, "-n", started["name"]!.GetValue<string>(), "-o", "json")).Json();
        Assert.Equal("Completed", job["properties"]!["status"]!.GetValue<string>());
        // What the docs read back with `az backup job show --query properties.extendedInfo.propertyBag`.
        var bag = job["properties"]!["extendedInfo"]!["propertyBag"]!;
        Assert.Equal("azclirestore", bag["Target Storage Account Name"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(bag["Config Blob Container Name"]?.GetValue<string>()), $"Config Blob Container Name missing: {bag}");
        Assert.False(string.IsNullOrEmpty(bag["Config Blob Name"]?.GetValue<string>()), $"Config Blob Name missing: {bag}");
        Assert.Contains(bag["Config Blob Name"]!.GetValue<string>(), bag["Config Blob Uri"]!.GetValue<string>());
    }

    /// <summary>VM, vault and protection through ARM, for tests whose subject comes later.</summary>
    private async Task ProtectedVmAsync(AzCliScenario s)
    {
        await fx.Arm.ProtectedVmAsync(s.Rg, Vault, Vm);
    }

    /// <summary>The first scheduled backup, run now, finished: one recovery point.</summary>
    private async Task BackedUpAsync(AzCliScenario s)
    {
        var runDue = await fx.Arm.RunDueAsync(s.Rg);
        var job = await fx.Arm.WaitForJobAsync(s.Rg, Vault, ArmTestClient.BackupJobOf(runDue, Vm));
        Assert.Equal("Completed", job["properties"]!["status"]!.GetValue<string>());
    }

    private AzCliScenario Scenario(string name) => new(fx, output, name);
}
