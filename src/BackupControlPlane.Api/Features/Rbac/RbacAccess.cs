using System.Collections.Concurrent;
using System.Security.Claims;
using System.Text.RegularExpressions;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Features.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BackupControlPlane.Api.Features.Rbac;

public sealed class RbacOptions
{
    /// <summary>
    /// Check every ARM request against the caller's role assignments (Azure RBAC). Off by default: every valid token may
    /// do everything, as before. Bound from the <c>Identity</c> section (<c>Identity:EnforceRbac</c>).
    /// </summary>
    public bool EnforceRbac { get; set; }
}

/// <summary>
/// Azure RBAC's decision: a principal may perform an action at a scope when one of its role assignments at that scope
/// or above (inheritance downwards) has a role whose actions match it and whose notActions do not (wildcards,
/// case-insensitive). The emulator's own managed identity (Swagger UI's, az's in Cloud Shell style) is Owner of every
/// subscription, so enforcement can be bootstrapped.
/// The database context is taken from the request's services only when a decision reads assignments: RbacEnforcement
/// asks <see cref="Enforced"/> on every ARM request, and taking a pooled context for that alone cost each request,
/// a cached read's included, a context rent and return (docs/performance.md).
/// </summary>
public sealed class RbacAccess(IServiceProvider services, IOptions<RbacOptions> options) : IArmAccess
{
    private static readonly ConcurrentDictionary<string, Regex> Patterns = new(StringComparer.OrdinalIgnoreCase);

    public bool Enforced => options.Value.EnforceRbac;

    public static Guid? ObjectId(ClaimsPrincipal caller) => Guid.TryParse(caller.FindFirst("oid")?.Value, out var oid) ? oid : null;

    public string Describe(ClaimsPrincipal caller) =>
        $"The client '{caller.FindFirst("appid")?.Value ?? "anonymous"}' with object id '{ObjectId(caller)?.ToString() ?? "00000000-0000-0000-0000-000000000000"}'";

    public async Task<bool> IsAllowedAsync(ClaimsPrincipal caller, string action, string scope, CancellationToken ct)
    {
        if (!Enforced) return true;
        if (ObjectId(caller) is not { } oid) return false;
        if (oid == TokenService.ManagedIdentityObjectId) return true;
        var target = ScopeKey(scope);
        var db = services.GetRequiredService<BackupDbContext>();
        var assignments = await db.RoleAssignments.AsNoTracking().Where(a => a.PrincipalId == oid).Select(a => new { a.ScopeKey, a.RoleDefinitionName }).ToListAsync(ct);
        return assignments.Where(a => Covers(a.ScopeKey, target)).Select(a => BuiltInRoles.Find(a.RoleDefinitionName)).OfType<RoleDefinition>()
            .Any(role => Grants(role, action));
    }

    public static bool Grants(RoleDefinition role, string action) =>
        role.Actions.Any(p => Matches(p, action)) && !role.NotActions.Any(p => Matches(p, action));

    /// <summary>An assignment at <paramref name="assigned"/> applies at <paramref name="target"/> and everything below it.</summary>
    public static bool Covers(string assigned, string target) =>
        assigned.Length == 0 || target == assigned || target.StartsWith(assigned + "/", StringComparison.Ordinal);

    public static string ScopeKey(string scope) => scope.Trim().TrimEnd('/').ToLowerInvariant();

    private static bool Matches(string pattern, string action) =>
        Patterns.GetOrAdd(pattern, p => new Regex("^" + Regex.Escape(p).Replace(@"\*", ".*") + "$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)).IsMatch(action);
}
