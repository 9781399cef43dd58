using System.Text.Json;
using System.Text.Json.Serialization;
using BackupControlPlane.Api.Data;

namespace BackupControlPlane.Api.Features.Rbac;

// Microsoft.Authorization/roleDefinitions and roleAssignments as Azure answers them.

public sealed record RoleDefinitionResource(string Id, string Name, string Type, RoleDefinitionProperties Properties);

public sealed record RoleDefinitionProperties(string RoleName, string Type, string Description, IReadOnlyList<string> AssignableScopes,
    IReadOnlyList<RolePermission> Permissions, DateTimeOffset CreatedOn, DateTimeOffset UpdatedOn);

public sealed record RolePermission(IReadOnlyList<string> Actions, IReadOnlyList<string> NotActions, IReadOnlyList<string> DataActions, IReadOnlyList<string> NotDataActions);

public sealed record RoleAssignmentRequest(RoleAssignmentRequestProperties? Properties)
{
    [JsonExtensionData] public Dictionary<string, JsonElement>? Other { get; init; }
}

public sealed record RoleAssignmentRequestProperties(string? RoleDefinitionId, string? PrincipalId, string? PrincipalType, string? Description)
{
    [JsonExtensionData] public Dictionary<string, JsonElement>? Other { get; init; }
}

public sealed record RoleAssignmentResource(string Id, string Name, string Type, RoleAssignmentProperties Properties);

public sealed record RoleAssignmentProperties(string RoleDefinitionId, string PrincipalId, string PrincipalType, string Scope, string? Condition,
    string? ConditionVersion, DateTimeOffset CreatedOn, DateTimeOffset UpdatedOn, string CreatedBy, string UpdatedBy,
    string? DelegatedManagedIdentityResourceId, string? Description);

public static class RbacMapper
{
    /// <summary>Built-in roles' dates, as Azure shows them (fixed).</summary>
    private static readonly DateTimeOffset Published = new(2015, 2, 2, 21, 55, 9, TimeSpan.Zero);

    public static RoleDefinitionResource ToResource(string subscriptionId, RoleDefinition role) => new(
        BuiltInRoles.Id(subscriptionId, role), role.Name.ToString(), "Microsoft.Authorization/roleDefinitions",
        new RoleDefinitionProperties(role.RoleName, "BuiltInRole", role.Description, ["/"], [new RolePermission(role.Actions, role.NotActions, [], [])], Published, Published));

    public static RoleAssignmentResource ToResource(RoleAssignment a) => new(
        $"{a.Scope}/providers/Microsoft.Authorization/roleAssignments/{a.Name}", a.Name, "Microsoft.Authorization/roleAssignments",
        new RoleAssignmentProperties($"/subscriptions/{SubscriptionOf(a.Scope)}/providers/Microsoft.Authorization/roleDefinitions/{a.RoleDefinitionName}",
            a.PrincipalId.ToString(), a.PrincipalType, a.Scope, null, null, a.CreatedOn, a.CreatedOn, a.CreatedBy.ToString(), a.CreatedBy.ToString(), null, a.Description));

    private static string SubscriptionOf(string scope) => scope.Trim('/').Split('/') is [_, var sub, ..] ? sub : "";
}
