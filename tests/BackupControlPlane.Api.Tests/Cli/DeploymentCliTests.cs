using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using BackupControlPlane.Api.Tests.Infrastructure;
using Xunit.Abstractions;

namespace BackupControlPlane.Api.Tests.Cli;

/// <summary>
/// Template deployments with the real az CLI, compiling Bicep with the real Bicep CLI (issue 19): a vault, a daily
/// policy and the protection of an existing VM; the same again (nothing changes); what-if and a retention change;
/// failing templates and their error shapes.
/// </summary>
[Collection(AzCliCollection.Name)]
public sealed class DeploymentCliTests(AzCliFixture fx, ITestOutputHelper output)
{
    private const string Vault = "depvault";
    private static readonly string Files = Path.Combine(AppContext.BaseDirectory, "Cli", "Deployments");

    [Fact]
    public async Task Bicep_deploys_vault_policy_and_protection_redeploys_unchanged_and_what_if_shows_a_retention_change()
    {
        var s = Scenario("deploy");
        (await s.Az("group", "create", "-n", s.Rg, "-l", "eastus", "-o", "none")).AssertSucceeded();
        await fx.Arm.PutVmAsync(s.Rg, "depvm1");
        var main = Path.Combine(Files, "main.bicep");
        string[] Deploy(params string[] extra) =>
            ["deployment", "group", "create", "-g", s.Rg, "-n", "backup", "--template-file", main, "--parameters", $"vaultName={Vault}", "vmName=depvm1", .. extra, "-o", "json"];

        var deployed = (await s.Az(Deploy())).Json()["properties"]!;
        Assert.Equal("Succeeded", deployed["provisioningState"]!.GetValue<string>());
        var vaultId = ArmTestClient.VaultPath(s.Rg, Vault);
        var policyId = vaultId + "/backupPolicies/daily-policy";
        Assert.Equal(vaultId, deployed["outputs"]!["vaultId"]!["value"]!.GetValue<string>(), ignoreCase: true);
        Assert.Equal(policyId, deployed["outputs"]!["policyId"]!["value"]!.GetValue<string>(), ignoreCase: true);
        Assert.Equal("eastus", deployed["outputs"]!["vmLocation"]!["value"]!.GetValue<string>());

        // The resources exist as if created one by one: the item protected with the template's policy.
        var item = await fx.Arm.GetAsync(ArmTestClient.ItemPath(s.Rg, Vault, "depvm1"));
        Assert.Equal(policyId, item["properties"]!["policyId"]!.GetValue<string>(), ignoreCase: true);
        Assert.Equal(30, (await fx.Arm.GetAsync(policyId))["properties"]!["retentionPolicy"]!["dailySchedule"]!["retentionDuration"]!["count"]!.GetValue<int>());
        var operations = (await s.Az("deployment", "operation", "group", "list", "-g", s.Rg, "-n", "backup", "-o", "json")).Json().AsArray();
        Assert.Equal(3, operations.Count);
        Assert.All(operations, o => Assert.Equal("Succeeded", o!["properties"]!["provisioningState"]!.GetValue<string>()));
        Assert.Contains(operations, o => o!["properties"]!["targetResource"]!["resourceType"]!.GetValue<string>() == "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems");

        // Deployed again: every resource reads back exactly as before.
        var before = await BodiesAsync(s, policyId);
        Assert.Equal("Succeeded", (await s.Az(Deploy())).Json()["properties"]!["provisioningState"]!.GetValue<string>());
        Assert.Equal(before, await BodiesAsync(s, policyId));

        // What-if with a longer retention: the policy would change in that one property, nothing else would.
        var whatIf = (await s.Az("deployment", "group", "what-if", "-g", s.Rg, "-n", "backup", "--template-file", main,
            "--parameters", $"vaultName={Vault}", "vmName=depvm1", "dailyRetentionDays=45", "--no-pretty-print", "-o", "json")).Json();
        var changes = whatIf["changes"]!.AsArray();
        var policyChange = changes.Single(c => c!["resourceId"]!.GetValue<string>().Equals(policyId, StringComparison.OrdinalIgnoreCase))!;
        Assert.Equal("Modify", policyChange["changeType"]!.GetValue<string>());
        Assert.True(policyChange["delta"]!.AsArray().Count == 1, $"one property should change: {policyChange["delta"]}");
        var delta = policyChange["delta"]![0]!;
        Assert.Equal("properties.retentionPolicy.dailySchedule.retentionDuration.count", delta["path"]!.GetValue<string>());
        Assert.Equal(30, delta["before"]!.GetValue<int>());
        Assert.Equal(45, delta["after"]!.GetValue<int>());
        Assert.All(changes.Where(c => c != policyChange), c => Assert.Equal("NoChange", c!["changeType"]!.GetValue<string>()));
        Assert.Equal(30, (await fx.Arm.GetAsync(policyId))["properties"]!["retentionPolicy"]!["dailySchedule"]!["retentionDuration"]!["count"]!.GetValue<int>());

        Assert.Equal("Succeeded", (await s.Az(Deploy("dailyRetentionDays=45"))).Json()["properties"]!["provisioningState"]!.GetValue<string>());
        Assert.Equal(45, (await fx.Arm.GetAsync(policyId))["properties"]!["retentionPolicy"]!["dailySchedule"]!["retentionDuration"]!["count"]!.GetValue<int>());
    }

    [Fact]
    public async Task Failing_templates_answer_InvalidTemplate_or_DeploymentFailed_and_the_operations_show_what_succeeded()
    {
        var s = Scenario("deploy-fail");
        (await s.Az("group", "create", "-n", s.Rg, "-l", "eastus", "-o", "none")).AssertSucceeded();

        var bad = await s.Az("deployment", "group", "create", "-g", s.Rg, "-n", "bad", "--template-file", Path.Combine(Files, "bad-expression.json"),
            "--parameters", "vaultName=v1", "-o", "json");
        Assert.False(bad.Succeeded);
        Assert.Contains("InvalidTemplate", bad.StdErr);
        Assert.Contains("resources[0]", bad.StdErr);

        var missing = await s.Az("deployment", "group", "create", "-g", s.Rg, "-n", "missing", "--template-file", Path.Combine(Files, "main.bicep"),
            "--parameters", "vaultName=v1", "--no-prompt", "true", "-o", "json");
        Assert.False(missing.Succeeded);
        Assert.Contains("vmName", missing.StdErr);

        var refused = await s.Az("deployment", "group", "create", "-g", s.Rg, "-n", "refused", "--template-file", Path.Combine(Files, "refused.bicep"),
            "--parameters", $"vaultName={Vault}", "-o", "json");
        Assert.False(refused.Succeeded);
        Assert.Contains("BMSUserErrorInvalidPolicyInput", refused.StdErr);
        var shown = (await s.Az("deployment", "group", "show", "-g", s.Rg, "-n", "refused", "-o", "json")).Json()["properties"]!;
        Assert.Equal("Failed", shown["provisioningState"]!.GetValue<string>());
        Assert.Equal("DeploymentFailed", shown["error"]!["code"]!.GetValue<string>());
        Assert.Equal("BMSUserErrorInvalidPolicyInput", shown["error"]!["details"]![0]!["details"]![0]!["code"]!.GetValue<string>());

        var operations = (await s.Az("deployment", "operation", "group", "list", "-g", s.Rg, "-n", "refused", "-o", "json")).Json().AsArray()
            .ToDictionary(o => o!["properties"]!["targetResource"]!["resourceType"]!.GetValue<string>(), o => o!["properties"]!);
        Assert.Equal("Succeeded", operations["Microsoft.RecoveryServices/vaults"]["provisioningState"]!.GetValue<string>());
        var policy = operations["Microsoft.RecoveryServices/vaults/backupPolicies"];
        Assert.Equal("Failed", policy["provisioningState"]!.GetValue<string>());
        Assert.Equal("BadRequest", policy["statusCode"]!.GetValue<string>());
        Assert.Equal("BMSUserErrorInvalidPolicyInput", policy["statusMessage"]!["error"]!["code"]!.GetValue<string>());
        // The vault the template made before the refusal is there, as ARM leaves it.
        await fx.Arm.GetAsync(ArmTestClient.VaultPath(s.Rg, Vault));
    }

    [Fact]
    public async Task The_restore_jobs_template_deployed_from_its_blob_creates_a_VM_on_the_restored_disks()
    {
        var s = Scenario("deploy-restore");
        await fx.Arm.ProtectedVmAsync(s.Rg, Vault, "deprvm1");
        var backup = await fx.Arm.WaitForJobAsync(s.Rg, Vault, ArmTestClient.BackupJobOf(await fx.Arm.RunDueAsync(s.Rg), "deprvm1"));
        Assert.Equal("Completed", backup["properties"]!["status"]!.GetValue<string>());
        var rp = (await fx.Arm.GetAsync(ArmTestClient.ItemPath(s.Rg, Vault, "deprvm1") + "/recoveryPoints"))["value"]![0]!["name"]!.GetValue<string>();
        var started = (await s.Az("backup", "restore", "restore-disks", "-g", s.Rg, "-v", Vault, "-c", "deprvm1", "-i", "deprvm1", "-r", rp,
            "--storage-account", "deprestoresa", "-o", "json")).Json();
        var job = await fx.Arm.WaitForJobAsync(s.Rg, Vault, started["name"]!.GetValue<string>());
        Assert.Equal("Completed", job["properties"]!["status"]!.GetValue<string>());
        var bag = job["properties"]!["extendedInfo"]!["propertyBag"]!;
        var container = bag["Config Blob Container Name"]!.GetValue<string>();

        // As Azure's docs do it: a read SAS for the template blob (az storage blob generate-sas), then deploy it by URI.
        var blob = new BlobUriBuilder(new Uri(bag["Template Blob Uri"]!.GetValue<string>()));
        var sas = new BlobServiceClient(await SharedAzurite.ConnectionStringAsync()).GetBlobContainerClient(blob.BlobContainerName)
            .GetBlobClient(blob.BlobName).GenerateSasUri(Azure.Storage.Sas.BlobSasPermissions.Read, DateTimeOffset.UtcNow.AddHours(1));
        var deployed = (await s.Az("deployment", "group", "create", "-g", s.Rg, "-n", "restoredvm", "--template-uri", sas.ToString(),
            "--parameters", "VirtualMachineName=restored", "-o", "json")).Json()["properties"]!;
        Assert.Equal("Succeeded", deployed["provisioningState"]!.GetValue<string>());

        var vm = await fx.Arm.GetAsync(ArmTestClient.VmPath(s.Rg, "restored"), "2024-07-01");
        var storage = vm["properties"]!["storageProfile"]!;
        // An unmanaged VM's point restores its VHDs into their original storage account by default (the CLI sends
        // originalStorageAccountOption true for such points), in a folder of the job; the config and template go to the staging account.
        var restoredFolder = $"/vhds/restored-{Guid.Parse(started["name"]!.GetValue<string>()):N}/";
        Assert.Contains(restoredFolder, storage["osDisk"]!["vhd"]!["uri"]!.GetValue<string>());
        Assert.Equal("Attach", storage["osDisk"]!["createOption"]!.GetValue<string>());
        var data = Assert.Single(storage["dataDisks"]!.AsArray())!;
        Assert.Contains(restoredFolder, data["vhd"]!["uri"]!.GetValue<string>());
        Assert.Contains($"/{container}/", bag["Template Blob Uri"]!.GetValue<string>());
        Assert.Equal("Standard_D2s_v3", vm["properties"]!["hardwareProfile"]!["vmSize"]!.GetValue<string>());
    }

    /// <summary>The vault, the policy and the protected item as GETs answer them, less the etag (each PUT gives a new one, as in Azure).</summary>
    private async Task<string> BodiesAsync(AzCliScenario s, string policyId)
    {
        var bodies = new JsonArray(await fx.Arm.GetAsync(ArmTestClient.VaultPath(s.Rg, Vault)), await fx.Arm.GetAsync(policyId),
            await fx.Arm.GetAsync(ArmTestClient.ItemPath(s.Rg, Vault, "depvm1")));
        foreach (var body in bodies) body!.AsObject().Remove("etag");
        return bodies.ToJsonString();
    }

    private AzCliScenario Scenario(string name) => new(fx, output, name, BicepAz.For(fx));
}
