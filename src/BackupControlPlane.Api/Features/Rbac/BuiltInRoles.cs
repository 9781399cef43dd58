namespace BackupControlPlane.Api.Features.Rbac;

/// <summary>A role definition: what its holders may do (actions minus notActions, wildcards allowed, case-insensitive).</summary>
public sealed record RoleDefinition(Guid Name, string RoleName, string Description, IReadOnlyList<string> Actions, IReadOnlyList<string> NotActions);

/// <summary>
/// Azure's built-in roles that matter to backup automation, with their real ids and action lists (Learn's built-in
/// roles page; the backup roles' Microsoft.RecoveryServices entries verbatim, <see cref="BackupRoleActions"/>).
/// Custom roles are not emulated.
/// </summary>
public static class BuiltInRoles
{
    public static readonly RoleDefinition Owner = new(Guid.Parse("8e3af657-a8ff-443c-a75c-2fe8c4bcb635"), "Owner",
        "Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.", ["*"], []);

    public static readonly RoleDefinition Contributor = new(Guid.Parse("b24988ac-6180-42a0-ab88-20f7382dd24c"), "Contributor",
        "Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC, manage assignments in Azure Blueprints, or share image galleries.",
        ["*"],
        ["Microsoft.Authorization/*/Delete", "Microsoft.Authorization/*/Write", "Microsoft.Authorization/elevateAccess/Action",
         "Microsoft.Blueprint/blueprintAssignments/write", "Microsoft.Blueprint/blueprintAssignments/delete", "Microsoft.Compute/galleries/share/action",
         "Microsoft.Purview/consents/write", "Microsoft.Purview/consents/delete", "Microsoft.Resources/deploymentStacks/manageDenySetting/action",
         "Microsoft.Subscription/cancel/action", "Microsoft.Subscription/enable/action"]);

    public static readonly RoleDefinition Reader = new(Guid.Parse("acdd72a7-3385-48ef-bd42-f606fba81ae7"), "Reader",
        "View all resources, but does not allow you to make any changes.", ["*/read"], []);

    public static readonly RoleDefinition UserAccessAdministrator = new(Guid.Parse("18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"), "User Access Administrator",
        "Lets you manage user access to Azure resources.", ["*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"], []);

    public static readonly RoleDefinition BackupContributor = new(Guid.Parse("5e467623-bb1f-42f4-a55d-6e525e11384b"), "Backup Contributor",
        "Lets you manage backups, but can't delete vaults and give access to others", BackupRoleActions.Contributor, []);

    public static readonly RoleDefinition BackupOperator = new(Guid.Parse("00c29273-979b-4161-815c-10b084fb9324"), "Backup Operator",
        "Lets you manage backup services, except removal of backup, vault creation and giving access to others", BackupRoleActions.Operator, []);

    public static readonly RoleDefinition BackupReader = new(Guid.Parse("a795c7a0-d4a2-40c1-ae25-d81f01202912"), "Backup Reader",
        "Can view backup services, but can't make changes", BackupRoleActions.Reader, []);

    public static readonly RoleDefinition BackupMuaAdmin = new(Guid.Parse("c2a970b4-16a7-4a51-8c84-8a8ea6ee0bb8"), "Backup MUA Admin",
        "Backup MultiUser-Authorization. Can create/delete ResourceGuard ", BackupRoleActions.MuaAdmin, []);

    public static readonly RoleDefinition BackupMuaOperator = new(Guid.Parse("f54b6d04-23c6-443e-b462-9c16ab7b4a52"), "Backup MUA Operator",
        "Backup MultiUser-Authorization. Allows user to perform critical operation protected by resourceguard",
        ["Microsoft.DataProtection/*/action", "Microsoft.DataProtection/*/read", "Microsoft.Authorization/*/read"], []);

    public static readonly RoleDefinition VirtualMachineContributor = new(Guid.Parse("9980e02c-c2be-4d73-94e8-173b1dc7cf3c"), "Virtual Machine Contributor",
        "Create and manage virtual machines, manage disks, install and run software, reset password of the root user of the virtual machine using VM extensions, and manage local user accounts using VM extensions. This role does not grant you management access to the virtual network or storage account the virtual machines are connected to nor access to roles and assignments.",
        BackupRoleActions.VirtualMachineContributor, []);

    public static readonly IReadOnlyList<RoleDefinition> All =
        [Owner, Contributor, Reader, UserAccessAdministrator, BackupContributor, BackupOperator, BackupReader, BackupMuaAdmin, BackupMuaOperator, VirtualMachineContributor];

    /// <summary>A role by its GUID or by a role definition id ending in it.</summary>
    public static RoleDefinition? Find(string nameOrId)
    {
        var last = nameOrId.TrimEnd('/').Split('/')[^1];
        return Guid.TryParse(last, out var id) ? All.FirstOrDefault(r => r.Name == id) : null;
    }

    public static string Id(string subscriptionId, RoleDefinition role) =>
        $"/subscriptions/{subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/{role.Name}";
}
