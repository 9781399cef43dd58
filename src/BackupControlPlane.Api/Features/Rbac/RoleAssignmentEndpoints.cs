using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Rbac;

/// <summary>
/// Role assignments (<c>Microsoft.Authorization/roleAssignments</c>) at subscription, resource-group and resource scope:
/// PUT (the name is a GUID; the principal any object id, as tokens carry them), GET, DELETE, and lists with the
/// <c>$filter</c>s az sends (<c>atScope()</c>, <c>principalId eq '…'</c>, <c>assignedTo('…')</c>, joined by <c>and</c>).
/// </summary>
public static class RoleAssignmentEndpoints
{
    private const string Suffix = "/providers/Microsoft.Authorization/roleAssignments";
    private static readonly string[] PrincipalTypes = ["User", "Group", "ServicePrincipal", "ForeignGroup", "Device"];

    public static void MapRoleAssignments(this IEndpointRouteBuilder app)
    {
        var group = app.MapArm().WithTags("Azure RBAC");
        const string subscription = "/subscriptions/{subscriptionId}";
        const string resourceGroup = subscription + "/resourceGroups/{resourceGroupName}";
        const string resource = resourceGroup + "/providers/{resourceProviderNamespace}/{resourceType}/{resourceName}";
        foreach (var scope in new[] { subscription, resourceGroup, resource })
        {
            group.MapGet(scope + Suffix, List).WithSummary("Role assignments that apply at the scope ($filter=atScope(), principalId eq '…', assignedTo('…')).");
            group.MapPut(scope + Suffix + "/{roleAssignmentName}", Put).WithSummary("Assign a built-in role to a principal (object id) at the scope.");
            group.MapGet(scope + Suffix + "/{roleAssignmentName}", Get);
            group.MapDelete(scope + Suffix + "/{roleAssignmentName}", Delete);
        }
    }

    /// <summary>The scope of the request: its path before <c>/providers/Microsoft.Authorization/roleAssignments</c>.</summary>
    private static string ScopeOf(HttpContext http)
    {
        var path = http.Request.Path.Value!;
        return path[..path.LastIndexOf(Suffix, StringComparison.OrdinalIgnoreCase)];
    }

    private static async Task<Results<Ok<RoleAssignmentResource>, JsonHttpResult<RoleAssignmentResource>>> Put(string roleAssignmentName, RoleAssignmentRequest? body,
        HttpContext http, BackupDbContext db, TimeProvider time, CancellationToken ct)
    {
        if (!Guid.TryParse(roleAssignmentName, out _))
            throw ArmException.BadRequest($"The role assignment ID '{roleAssignmentName}' is not valid. The role assignment ID must be a GUID.", "InvalidRoleAssignmentId");
        UnknownMembers.Refuse("role assignment", "", body?.Other, "id", "name", "type");
        UnknownMembers.Refuse("role assignment", "properties.", body?.Properties?.Other, "scope", "createdOn", "updatedOn", "createdBy", "updatedBy");
        var p = body?.Properties ?? throw ArmException.BadRequest("The request body must carry 'properties' with 'roleDefinitionId' and 'principalId'.", "InvalidRoleAssignmentRequest");
        var role = (p.RoleDefinitionId is { } roleId ? BuiltInRoles.Find(roleId) : null)
            ?? throw ArmException.BadRequest($"The specified role definition with ID '{p.RoleDefinitionId}' does not exist.", "RoleDefinitionDoesNotExist");
        if (!Guid.TryParse(p.PrincipalId, out var principal))
            throw ArmException.BadRequest($"Principal '{p.PrincipalId}' is not a valid object id (a GUID).", "InvalidPrincipalId");
        var type = p.PrincipalType is null ? "ServicePrincipal" : PrincipalTypes.FirstOrDefault(t => t.Equals(p.PrincipalType, StringComparison.OrdinalIgnoreCase))
            ?? throw ArmException.BadRequest($"'properties.principalType' '{p.PrincipalType}' is not valid: use one of {string.Join(", ", PrincipalTypes)}.", "InvalidParameter");
        var scope = ScopeOf(http);
        var scopeKey = RbacAccess.ScopeKey(scope);
        var roleName = role.Name.ToString();
        var existing = await db.RoleAssignments.FirstOrDefaultAsync(a => a.Name == roleAssignmentName.ToLowerInvariant(), ct);
        if (existing is not null)
        {
            if (existing.PrincipalId != principal || existing.ScopeKey != scopeKey || existing.RoleDefinitionName != roleName)
                throw new ArmException(409, "RoleAssignmentUpdateNotPermitted", "Tenant ID, application ID, principal ID, and scope are not allowed to be updated.");
            // What an update may change (az role assignment update): the description and the principal's type.
            existing.Description = p.Description;
            existing.PrincipalType = type;
            await db.SaveChangesAsync(ct);
            return TypedResults.Ok(RbacMapper.ToResource(existing));
        }
        if (await db.RoleAssignments.AnyAsync(a => a.PrincipalId == principal && a.ScopeKey == scopeKey && a.RoleDefinitionName == roleName, ct))
            throw new ArmException(409, "RoleAssignmentExists", "The role assignment already exists.");
        var assignment = new RoleAssignment
        {
            Name = roleAssignmentName.ToLowerInvariant(), Scope = scope.TrimEnd('/'), ScopeKey = scopeKey, RoleDefinitionName = roleName, PrincipalId = principal,
            PrincipalType = type, Description = p.Description, CreatedOn = time.GetUtcNow(), CreatedBy = RbacAccess.ObjectId(http.User) ?? Guid.Empty,
        };
        db.RoleAssignments.Add(assignment);
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException e) when (DatabaseErrors.IsConflict(e))
        {
            throw new ArmException(409, "RoleAssignmentExists", "The role assignment already exists.");
        }
        return TypedResults.Json(RbacMapper.ToResource(assignment), statusCode: StatusCodes.Status201Created);
    }

    private static async Task<Ok<RoleAssignmentResource>> Get(string roleAssignmentName, HttpContext http, BackupDbContext db, CancellationToken ct) =>
        TypedResults.Ok(RbacMapper.ToResource(await FindAsync(db, ScopeOf(http), roleAssignmentName, ct)
            ?? throw new ArmException(404, "RoleAssignmentNotFound", $"The role assignment '{roleAssignmentName}' is not found.")));

    private static async Task<Results<Ok<RoleAssignmentResource>, NoContent>> Delete(string roleAssignmentName, HttpContext http, BackupDbContext db, CancellationToken ct)
    {
        var assignment = await FindAsync(db, ScopeOf(http), roleAssignmentName, ct);
        if (assignment is null) return TypedResults.NoContent();
        await db.RoleAssignments.Where(a => a.Id == assignment.Id).ExecuteDeleteAsync(ct);
        return TypedResults.Ok(RbacMapper.ToResource(assignment));
    }

    private static async Task<RoleAssignment?> FindAsync(BackupDbContext db, string scope, string name, CancellationToken ct)
    {
        var key = RbacAccess.ScopeKey(scope);
        var lower = name.ToLowerInvariant();
        return await db.RoleAssignments.AsNoTracking().FirstOrDefaultAsync(a => a.Name == lower && a.ScopeKey == key, ct);
    }

    /// <summary>Without a filter, the assignments at, above and below the scope; atScope() keeps those at or above it.</summary>
    private static async Task<Ok<ArmList<RoleAssignmentResource>>> List(HttpContext http, BackupDbContext db,
        [Microsoft.AspNetCore.Mvc.FromQuery(Name = "$filter")] string? filter, CancellationToken ct)
    {
        var scope = RbacAccess.ScopeKey(ScopeOf(http));
        var (atScope, principal) = RoleAssignmentFilter.Parse(filter);
        var subscription = string.Join('/', scope.Split('/').Take(3));
        var query = db.RoleAssignments.AsNoTracking().Where(a => a.ScopeKey.StartsWith(subscription));
        if (principal is { } id) query = query.Where(a => a.PrincipalId == id);
        var rows = (await query.OrderBy(a => a.ScopeKey).ThenBy(a => a.Name).ToListAsync(ct))
            .Where(a => RbacAccess.Covers(a.ScopeKey, scope) || (!atScope && RbacAccess.Covers(scope, a.ScopeKey))).ToList();
        return TypedResults.Ok(new ArmList<RoleAssignmentResource>(rows.Select(RbacMapper.ToResource).ToList()));
    }
}
