using System.Net;
using System.Text.Json.Nodes;
using BackupControlPlane.Api.Tests.Features.Policies;
using BackupControlPlane.Api.Tests.Features.Restore;
using BackupControlPlane.Api.Tests.Infrastructure;

namespace BackupControlPlane.Api.Tests.Features.Rbac;

/// <summary>
/// Azure RBAC with <c>Identity:EnforceRbac=true</c>, principal by principal over HTTP: what each built-in role may do on
/// a vault with a backed-up VM (the role × operation matrix of the report), refusals in ARM's words.
/// </summary>
[Collection(RbacFixture.Collection)]
public sealed class RbacTests(RbacFixture f)
{
    private const string BackupOperator = "00c29273-979b-4161-815c-10b084fb9324";
    private const string BackupReader = "a795c7a0-d4a2-40c1-ae25-d81f01202912";
    private const string BackupContributor = "5e467623-bb1f-42f4-a55d-6e525e11384b";
    private const string Owner = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";

    private string Vault => f.Backup.VaultPath;
    private string Item => f.Backup.Item;
    private static string Group => ArmTestClient.Rg(RbacFixture.Rg);

    private static async Task<HttpStatusCode> StatusAsync(ArmTestClient arm, HttpMethod method, string path, object? body = null)
    {
        using var response = await arm.SendAsync(method, path, body);
        return response.StatusCode;
    }

    private static async Task AssertDeniedAsync(ArmTestClient arm, HttpMethod method, string path, string action, Guid oid, object? body = null)
    {
        using var response = await arm.SendAsync(method, path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{method} {path}: expected 403, got {(int)response.StatusCode}: {text}");
        Assert.Equal("gateway", response.Headers.GetValues("x-ms-failure-cause").Single());
        var error = JsonNode.Parse(text)!["error"]!;
        Assert.Equal("AuthorizationFailed", error["code"]!.GetValue<string>());
        Assert.Equal($"with object id '{oid}' does not have authorization to perform action '{action}' over scope '{path}' or the scope is invalid. If access was recently granted, please refresh your credentials.",
            error["message"]!.GetValue<string>()[(error["message"]!.GetValue<string>().IndexOf("with object id", StringComparison.Ordinal))..]);
    }

    [Fact]
    public async Task Tokens_of_service_principals_carry_a_stable_object_id_of_their_own()
    {
        var first = RbacFixture.ObjectIdOf(await f.TokenAsync("app-one"));
        Assert.Equal(first, RbacFixture.ObjectIdOf(await f.TokenAsync("app-one")));
        Assert.NotEqual(first, RbacFixture.ObjectIdOf(await f.TokenAsync("app-two")));
        Assert.NotEqual(first, RbacFixture.ObjectIdOf(await f.App.ManagedIdentityTokenAsync()));
    }

    [Fact]
    public async Task A_principal_with_no_assignment_is_refused_everywhere_in_ARMs_words()
    {
        var (arm, oid) = await f.PrincipalAsync("nobody");
        await AssertDeniedAsync(arm, HttpMethod.Get, Vault, "Microsoft.RecoveryServices/vaults/read", oid);
        await AssertDeniedAsync(arm, HttpMethod.Get, Group, "Microsoft.Resources/subscriptions/resourceGroups/read", oid);
        await AssertDeniedAsync(arm, HttpMethod.Get, $"/subscriptions/{ArmTestClient.Sub}/resourcegroups", "Microsoft.Resources/subscriptions/resourcegroups/read", oid);
        await AssertDeniedAsync(arm, HttpMethod.Post, Item + "/backup", "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems/backup/action", oid,
            new { properties = new { objectType = "IaasVMBackupRequest" } });
        await AssertDeniedAsync(arm, HttpMethod.Put, $"{Group}/providers/Microsoft.RecoveryServices/vaults/nobodys", "Microsoft.RecoveryServices/vaults/write", oid,
            new { location = "eastus", sku = new { name = "Standard" } });
    }

    [Fact]
    public async Task A_Backup_Reader_reads_vault_items_jobs_and_points_and_changes_nothing()
    {
        var (arm, oid) = await f.PrincipalAsync("reader");
        await f.AssignAsync(Group, BackupReader, oid);
        foreach (var path in new[] { Vault, Vault + "/backupPolicies", Vault + "/backupJobs", Vault + "/backupProtectedItems", Item, Item + "/recoveryPoints" })
            Assert.True(await StatusAsync(arm, HttpMethod.Get, path) == HttpStatusCode.OK, "GET " + path);
        // Backup Reader's list has no Microsoft.Resources read: the group itself is not shown.
        await AssertDeniedAsync(arm, HttpMethod.Get, Group, "Microsoft.Resources/subscriptions/resourceGroups/read", oid);
        await AssertDeniedAsync(arm, HttpMethod.Post, Item + "/backup", "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems/backup/action", oid,
            new { properties = new { objectType = "IaasVMBackupRequest" } });
        await AssertDeniedAsync(arm, HttpMethod.Put, Vault + "/backupPolicies/readers", "Microsoft.RecoveryServices/vaults/backupPolicies/write", oid, PolicyTests.DailyPolicy("2026-01-01T22:00:00Z", 7));
        await AssertDeniedAsync(arm, HttpMethod.Delete, Item, "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems/delete", oid);
        // Not in Backup Reader's list (the az CLI's MUA check reads it before writes).
        await AssertDeniedAsync(arm, HttpMethod.Get, Vault + "/backupResourceGuardProxies", "Microsoft.RecoveryServices/vaults/backupResourceGuardProxies/read", oid);
    }

    [Fact]
    public async Task A_Backup_Operator_backs_up_now_and_restores_but_cannot_delete_data_the_vault_or_policies_nor_grant_access()
    {
        var (arm, oid) = await f.PrincipalAsync("operator");
        await f.AssignAsync(Group, BackupOperator, oid);
        var s = f.Backup;
        using (var restore = await arm.SendAsync(HttpMethod.Post, $"{Item}/recoveryPoints/{s.RecoveryPoint}/restore", RestoreScenario.Body(s.RecoveryPoint, RbacFixture.Rg, s.Vm)))
            Assert.True(restore.StatusCode == HttpStatusCode.Accepted, $"restore: {(int)restore.StatusCode} {await restore.Content.ReadAsStringAsync()}");
        var job = await arm.BackupNowAsync(RbacFixture.Rg, RestoreScenario.Vault, s.Vm);
        Assert.Equal("Backup", job["properties"]!["operation"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(arm, HttpMethod.Get, Vault + "/backupResourceGuardProxies"));

        await AssertDeniedAsync(arm, HttpMethod.Delete, Item, "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems/delete", oid);
        await AssertDeniedAsync(arm, HttpMethod.Delete, Vault, "Microsoft.RecoveryServices/vaults/delete", oid);
        await AssertDeniedAsync(arm, HttpMethod.Put, Vault + "/backupPolicies/operators", "Microsoft.RecoveryServices/vaults/backupPolicies/write", oid, PolicyTests.DailyPolicy("2026-01-01T22:00:00Z", 7));
        await AssertDeniedAsync(arm, HttpMethod.Put, $"{Group}/providers/Microsoft.RecoveryServices/vaults/operators", "Microsoft.RecoveryServices/vaults/write", oid,
            new { location = "eastus", sku = new { name = "Standard" } });
        var assignment = $"{Group}/providers/Microsoft.Authorization/roleAssignments/{Guid.NewGuid()}";
        await AssertDeniedAsync(arm, HttpMethod.Put, assignment, "Microsoft.Authorization/roleAssignments/write", oid,
            new { properties = new { roleDefinitionId = $"/subscriptions/{ArmTestClient.Sub}/providers/Microsoft.Authorization/roleDefinitions/{Owner}", principalId = oid } });
    }

    [Fact]
    public async Task An_assignment_on_one_vault_is_inherited_below_it_and_nowhere_else()
    {
        var (arm, oid) = await f.PrincipalAsync("vault-only");
        await f.AssignAsync(Vault, BackupContributor, oid);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(arm, HttpMethod.Get, Item));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(arm, HttpMethod.Put, Vault + "/backupPolicies/contributors", PolicyTests.DailyPolicy("2026-01-01T22:00:00Z", 7)));
        await AssertDeniedAsync(arm, HttpMethod.Get, Group, "Microsoft.Resources/subscriptions/resourceGroups/read", oid);
        await AssertDeniedAsync(arm, HttpMethod.Get, ArmTestClient.VmPath(RbacFixture.Rg, f.Backup.Vm), "Microsoft.Compute/virtualMachines/read", oid);
    }

    [Fact]
    public async Task An_Owner_grants_access_and_role_assignments_are_listed_filtered_and_deleted_as_az_does()
    {
        var (owner, ownerId) = await f.PrincipalAsync("owner");
        await f.AssignAsync(Group, Owner, ownerId);
        var (_, readerId) = await f.PrincipalAsync("granted-reader");
        var name = Guid.NewGuid().ToString();
        var path = $"{Group}/providers/Microsoft.Authorization/roleAssignments/{name}";
        var body = new { properties = new { roleDefinitionId = $"/subscriptions/{ArmTestClient.Sub}/providers/Microsoft.Authorization/roleDefinitions/{BackupReader}", principalId = readerId } };
        using (var created = await owner.SendAsync(HttpMethod.Put, path, body, "2022-04-01")) Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using (var duplicate = await owner.SendAsync(HttpMethod.Put, $"{Group}/providers/Microsoft.Authorization/roleAssignments/{Guid.NewGuid()}", body, "2022-04-01"))
        {
            Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
            Assert.Contains("RoleAssignmentExists", await duplicate.Content.ReadAsStringAsync());
        }
        var filter = Uri.EscapeDataString($"principalId eq '{readerId}'");
        var listed = (await owner.GetAsync($"{Group}/providers/Microsoft.Authorization/roleAssignments?$filter={filter}", "2022-04-01"))["value"]!.AsArray();
        var one = Assert.Single(listed)!;
        Assert.Equal(Group, one["properties"]!["scope"]!.GetValue<string>());
        Assert.EndsWith(BackupReader, one["properties"]!["roleDefinitionId"]!.GetValue<string>());
        // An Owner of the group may not list the subscription's assignments; the subscription's Owner may, and atScope() leaves out the group's.
        await AssertDeniedAsync(owner, HttpMethod.Get, $"/subscriptions/{ArmTestClient.Sub}/providers/Microsoft.Authorization/roleAssignments", "Microsoft.Authorization/roleAssignments/read", ownerId);
        Assert.Single((await f.App.Arm.GetAsync($"/subscriptions/{ArmTestClient.Sub}/providers/Microsoft.Authorization/roleAssignments?$filter={filter}", "2022-04-01"))["value"]!.AsArray());
        var atSub = (await f.App.Arm.GetAsync($"/subscriptions/{ArmTestClient.Sub}/providers/Microsoft.Authorization/roleAssignments?$filter={Uri.EscapeDataString($"atScope() and principalId eq '{readerId}'")}", "2022-04-01"))["value"]!.AsArray();
        Assert.Empty(atSub);
        var roles = (await owner.GetAsync($"{Group}/providers/Microsoft.Authorization/roleDefinitions?$filter={Uri.EscapeDataString("roleName eq 'Backup Operator'")}", "2022-04-01"))["value"]!.AsArray();
        Assert.Equal(BackupOperator, Assert.Single(roles)!["name"]!.GetValue<string>());

        using (var deleted = await owner.SendAsync(HttpMethod.Delete, path, version: "2022-04-01")) Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        using (var gone = await owner.SendAsync(HttpMethod.Get, path, version: "2022-04-01")) Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }
}
