using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BackupControlPlane.Api.Tests.Features.Protection;

public sealed class ProtectionTests
{
    private static string NewRg() => "rg-prot-" + Guid.NewGuid().ToString("N")[..6];

    private static async Task<string> ErrorCode(HttpResponseMessage r) =>
        JsonNode.Parse(await r.Content.ReadAsStringAsync())!["error"]!["code"]!.GetValue<string>();

    [Fact]
    public async Task Enabling_answers_202_and_the_operation_leads_to_a_completed_ConfigureBackup_job_as_the_CLI_polls_it()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = NewRg();
        await app.Arm.PutVmAsync(rg, "VM-Mixed");
        await app.Arm.PutVaultAsync(rg, "vault1");
        using var put = await app.Arm.EnableProtectionAsync(rg, "vault1", "VM-Mixed");

        Assert.Equal(HttpStatusCode.Accepted, put.StatusCode);
        Assert.Equal(0, (await put.Content.ReadAsByteArrayAsync()).Length);
        Assert.NotNull(put.Headers.RetryAfter);
        var asyncOp = put.Headers.GetValues("Azure-AsyncOperation").Single();
        Assert.Contains("/operationsStatus/", asyncOp);
        Assert.Contains("/operationResults/", put.Headers.Location!.ToString());
        Assert.Contains($"protectionContainers/IaasVMContainer;iaasvmcontainerv2;{rg};vm-mixed/protectedItems/VM;iaasvmcontainerv2;{rg};vm-mixed", asyncOp);

        // The CLI takes the last path segment and polls the vault-level backupOperations.
        var opId = new Uri(asyncOp).AbsolutePath.Split('/').Last();
        var op = await app.Arm.GetAsync($"{ArmTestClient.VaultPath(rg, "vault1")}/backupOperations/{opId}");
        Assert.Equal("Succeeded", op["status"]!.GetValue<string>());
        var jobId = op["properties"]!["jobId"]!.GetValue<string>();
        var job = await app.Arm.GetAsync($"{ArmTestClient.VaultPath(rg, "vault1")}/backupJobs/{jobId}");
        Assert.Equal("ConfigureBackup", job["properties"]!["operation"]!.GetValue<string>());
        Assert.Equal("Completed", job["properties"]!["status"]!.GetValue<string>());
        Assert.Equal("VM-Mixed", job["properties"]!["entityFriendlyName"]!.GetValue<string>());

        // Both Location and item-level status URLs answer for the same operation.
        var status = await app.Arm.GetAsync(new Uri(asyncOp).AbsolutePath);
        Assert.Equal(opId, status["name"]!.GetValue<string>());
        using var location = await app.Client.GetAsync(put.Headers.Location);
        Assert.Equal(HttpStatusCode.NoContent, location.StatusCode);

        var item = await app.Arm.GetAsync(ArmTestClient.ItemPath(rg, "vault1", "VM-Mixed"));
        var p = item["properties"]!;
        Assert.Equal("IRPending", p["protectionState"]!.GetValue<string>());
        Assert.Equal("DefaultPolicy", p["policyName"]!.GetValue<string>());
        Assert.Equal($"iaasvmcontainerv2;{rg};vm-mixed", p["containerName"]!.GetValue<string>());
        Assert.Equal($"VM;iaasvmcontainerv2;{rg};vm-mixed", item["name"]!.GetValue<string>());
        Assert.Equal(ArmTestClient.VmPath(rg, "VM-Mixed"), p["sourceResourceId"]!.GetValue<string>());

        var listed = await app.Arm.GetAsync($"{ArmTestClient.VaultPath(rg, "vault1")}/backupProtectedItems?$filter=" + Uri.EscapeDataString("backupManagementType eq 'AzureIaasVM' and itemType eq 'VM'"));
        Assert.Single(listed["value"]!.AsArray());
        var policy = await app.Arm.GetAsync($"{ArmTestClient.VaultPath(rg, "vault1")}/backupPolicies/DefaultPolicy");
        Assert.Equal(1, policy["properties"]!["protectedItemsCount"]!.GetValue<int>());
    }

    [Fact]
    public async Task Protectable_items_list_unprotected_VMs_of_the_vault_region_and_drop_them_once_protected()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = NewRg();
        await app.Arm.PutVmAsync(rg, "vmp");
        await app.Arm.PutVaultAsync(rg, "vault1");
        var path = $"{ArmTestClient.VaultPath(rg, "vault1")}/backupProtectableItems?$filter=" + Uri.EscapeDataString("backupManagementType eq 'AzureIaasVM'");
        var before = (await app.Arm.GetAsync(path))["value"]!.AsArray().Where(i => i!["properties"]!["resourceGroup"]!.GetValue<string>() == rg).ToList();
        var mine = Assert.Single(before)!;
        Assert.Equal($"iaasvmcontainerv2;{rg};vmp", mine["name"]!.GetValue<string>());
        Assert.Equal(ArmTestClient.VmPath(rg, "vmp"), mine["properties"]!["virtualMachineId"]!.GetValue<string>());
        (await app.Arm.EnableProtectionAsync(rg, "vault1", "vmp")).Dispose();
        var after = (await app.Arm.GetAsync(path))["value"]!.AsArray().Where(i => i!["properties"]!["resourceGroup"]!.GetValue<string>() == rg);
        Assert.Empty(after);
    }

    [Fact]
    public async Task Bad_requests_get_ARM_errors_and_store_nothing()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = NewRg();
        await app.Arm.PutVmAsync(rg, "vmx");
        await app.Arm.PutVaultAsync(rg, "vault1");
        await app.Arm.PutVaultAsync(rg, "vault2");
        var item = ArmTestClient.ItemPath(rg, "vault1", "vmx");

        using (var r = await app.Arm.SendAsync(HttpMethod.Put, item, "{\"properties\": {\"policyId\": "))
        {
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
            Assert.Equal("InvalidRequestContent", await ErrorCode(r));
        }
        using (var r = await app.Arm.SendAsync(HttpMethod.Put, item, new { properties = new { sourceResourceId = ArmTestClient.VmPath(rg, "vmx") } }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
            Assert.Contains("policyId", JsonNode.Parse(await r.Content.ReadAsStringAsync())!["error"]!["message"]!.GetValue<string>());
        }
        using (var r = await app.Arm.EnableProtectionAsync(rg, "vault1", "vmx", policy: "NoSuchPolicy"))
        {
            Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
            Assert.Equal("ResourceNotFound", await ErrorCode(r));
        }
        using (var r = await app.Arm.EnableProtectionAsync(rg, "vault1", "vm-missing"))
        {
            Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
            Assert.Equal("ResourceNotFound", await ErrorCode(r));
        }
        using (var r = await app.Arm.SendAsync(HttpMethod.Put, $"{ArmTestClient.VaultPath(rg, "vault1")}/backupFabrics/Azure/protectionContainers/nonsense/protectedItems/VM;iaasvmcontainerv2;{rg};vmx", new { properties = new { } }))
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);

        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<BackupDbContext>();
            var vault = await db.Vaults.SingleAsync(v => v.ResourceGroup == rg && v.Name == "vault1");
            Assert.Equal(0, await db.ProtectedItems.CountAsync(i => i.VaultId == vault.Id));
            Assert.Equal(0, await db.BackupJobs.CountAsync(j => j.VaultId == vault.Id));
        }

        // Protected once; a second vault is refused with Azure's code.
        using (var ok = await app.Arm.EnableProtectionAsync(rg, "vault1", "vmx")) Assert.Equal(HttpStatusCode.Accepted, ok.StatusCode);
        using (var r = await app.Arm.EnableProtectionAsync(rg, "vault2", "vmx"))
        {
            Assert.Equal(HttpStatusCode.Conflict, r.StatusCode);
            Assert.Equal("VirtualMachineAlreadyProtected", await ErrorCode(r));
        }
        Assert.Empty((await app.Arm.GetAsync($"{ArmTestClient.VaultPath(rg, "vault2")}/backupProtectedItems"))["value"]!.AsArray());
    }

    [Fact]
    public async Task The_convenience_route_enables_like_the_CLI_and_answers_ProblemDetails_on_errors()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = NewRg();
        await app.Arm.PutVmAsync(rg, "vmc");
        await app.Arm.PutVaultAsync(rg, "vault1");

        using var ok = await app.Client.PostAsJsonAsync("/api/backup/protection/enable-for-vm", new { resourceGroup = rg, vaultName = "vault1", vm = "vmc", policyName = "DefaultPolicy" });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var job = JsonNode.Parse(await ok.Content.ReadAsStringAsync())!;
        Assert.Equal("ConfigureBackup", job["properties"]!["operation"]!.GetValue<string>());
        var item = await app.Arm.GetAsync(ArmTestClient.ItemPath(rg, "vault1", "vmc"));
        Assert.Equal("IRPending", item["properties"]!["protectionState"]!.GetValue<string>());

        using var missing = await app.Client.PostAsJsonAsync("/api/backup/protection/enable-for-vm", new { resourceGroup = rg, vaultName = "nope", vm = "vmc" });
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
        using var empty = await app.Client.PostAsync("/api/backup/protection/enable-for-vm", new StringContent("{", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Equal("application/problem+json", empty.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Two_clients_enabling_the_same_VM_in_two_vaults_at_once_end_with_one_protected_item()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = NewRg();
        await app.Arm.PutVmAsync(rg, "vmrace");
        await app.Arm.PutVaultAsync(rg, "vault1");
        await app.Arm.PutVaultAsync(rg, "vault2");
        var answers = await Task.WhenAll(app.Arm.EnableProtectionAsync(rg, "vault1", "vmrace"), app.Arm.EnableProtectionAsync(rg, "vault2", "vmrace"));
        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.Conflict], answers.Select(a => a.StatusCode).Order());
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BackupDbContext>();
        Assert.Equal(1, await db.ProtectedItems.CountAsync(i => i.VirtualMachine!.ResourceGroup == rg));
    }
}
