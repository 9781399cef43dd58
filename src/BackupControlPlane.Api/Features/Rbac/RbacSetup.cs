using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Rbac;

/// <summary>Azure RBAC: role definitions, role assignments, and (opt-in, <c>Identity:EnforceRbac</c>) their enforcement.</summary>
public static class RbacSetup
{
    public static IServiceCollection AddRbac(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<RbacOptions>(configuration.GetSection("Identity"));
        services.AddScoped<IArmAccess, RbacAccess>();
        services.AddScoped<IGroupResources, RoleAssignmentGroupResources>();
        return services;
    }

    public static void MapRbac(this IEndpointRouteBuilder app)
    {
        app.MapRoleDefinitions();
        app.MapRoleAssignments();
    }
}

/// <summary>Role assignments at a resource group or below go with the group (they are not listed as its resources).</summary>
public sealed class RoleAssignmentGroupResources(BackupDbContext db) : IGroupResources
{
    public Task<IReadOnlyList<GenericResource>> ListAsync(string subscriptionId, string? resourceGroup, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<GenericResource>>([]);

    public Task<ArmErrorBody?> DeletionRefusalAsync(string subscriptionId, string resourceGroup, CancellationToken ct) => Task.FromResult<ArmErrorBody?>(null);

    public async Task<Func<CancellationToken, Task>?> RemoveAsync(string subscriptionId, string resourceGroup, CancellationToken ct)
    {
        var scope = RbacAccess.ScopeKey(ArmIds.ResourceGroup(subscriptionId, resourceGroup));
        db.RoleAssignments.RemoveRange(await db.RoleAssignments.Where(a => a.ScopeKey == scope || a.ScopeKey.StartsWith(scope + "/")).ToListAsync(ct));
        return null;
    }
}
