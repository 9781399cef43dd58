using System.Text.RegularExpressions;
using BackupControlPlane.Api.Arm;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BackupControlPlane.Api.Features.Rbac;

/// <summary>
/// The built-in role definitions (<see cref="BuiltInRoles"/>) at subscription and resource-group scope, with the
/// <c>$filter</c> the az CLI sends to resolve <c>--role "Backup Operator"</c> (<c>roleName eq '…'</c>) and
/// <c>type eq 'BuiltInRole'</c>. Custom roles are refused by name.
/// </summary>
public static partial class RoleDefinitionEndpoints
{
    private const string Definitions = "/providers/Microsoft.Authorization/roleDefinitions";

    [GeneratedRegex(@"^\s*roleName\s+eq\s+'([^']*)'\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex RoleNameFilter();

    [GeneratedRegex(@"^\s*type\s+eq\s+'([^']*)'\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex TypeFilter();

    public static void MapRoleDefinitions(this IEndpointRouteBuilder app)
    {
        var group = app.MapArm().WithTags("Azure RBAC");
        foreach (var scope in new[] { "/subscriptions/{subscriptionId}", "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}" })
        {
            group.MapGet(scope + Definitions, List).WithSummary("Built-in role definitions ($filter=roleName eq '…' or type eq 'BuiltInRole').");
            group.MapGet(scope + Definitions + "/{roleDefinitionId}", Get);
            group.MapPut(scope + Definitions + "/{roleDefinitionId}", RefuseCustom).WithSummary("Custom roles: refused (only the built-in roles are emulated).");
        }
    }

    private static Ok<ArmList<RoleDefinitionResource>> List(string subscriptionId, [Microsoft.AspNetCore.Mvc.FromQuery(Name = "$filter")] string? filter)
    {
        IEnumerable<RoleDefinition> roles = BuiltInRoles.All;
        if (!string.IsNullOrWhiteSpace(filter))
        {
            if (RoleNameFilter().Match(filter) is { Success: true } name)
                roles = roles.Where(r => r.RoleName.Equals(name.Groups[1].Value, StringComparison.OrdinalIgnoreCase));
            else if (TypeFilter().Match(filter) is { Success: true } type)
                roles = type.Groups[1].Value.Equals("BuiltInRole", StringComparison.OrdinalIgnoreCase) ? roles : [];
            else
                throw ArmException.BadRequest($"The $filter '{filter}' is not supported: use roleName eq '{{name}}' or type eq 'BuiltInRole'.", "InvalidFilterInQueryString");
        }
        return TypedResults.Ok(new ArmList<RoleDefinitionResource>(roles.Select(r => RbacMapper.ToResource(subscriptionId, r)).ToList()));
    }

    private static Ok<RoleDefinitionResource> Get(string subscriptionId, string roleDefinitionId) =>
        TypedResults.Ok(RbacMapper.ToResource(subscriptionId, BuiltInRoles.Find(roleDefinitionId)
            ?? throw new ArmException(404, "RoleDefinitionDoesNotExist", $"The specified role definition with ID '{roleDefinitionId}' does not exist.")));

    private static IResult RefuseCustom(string roleDefinitionId) =>
        throw ArmException.BadRequest($"Custom role definitions ('{roleDefinitionId}') are not emulated: assign one of the built-in roles ({string.Join(", ", BuiltInRoles.All.Select(r => r.RoleName))}).", "BMSUserErrorNotSupported");
}
