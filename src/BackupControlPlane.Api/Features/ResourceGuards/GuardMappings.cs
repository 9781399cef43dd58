using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.ResourceGuards;

/// <summary>How vaults' Resource Guard mappings name their guards (ARM ids, compared case-insensitively).</summary>
public static class GuardMappings
{
    /// <summary>The guard an ARM id names, or null when it is not a Resource Guard's id or the guard does not exist.</summary>
    public static async Task<ResourceGuard?> FindGuardAsync(BackupDbContext db, string? guardId, CancellationToken ct)
    {
        var parts = guardId?.Trim('/').Split('/');
        if (parts is not { Length: 8 } || !parts[0].Equals("subscriptions", StringComparison.OrdinalIgnoreCase)
            || !parts[2].Equals("resourceGroups", StringComparison.OrdinalIgnoreCase) || !parts[4].Equals("providers", StringComparison.OrdinalIgnoreCase)
            || !$"{parts[5]}/{parts[6]}".Equals(ResourceGuardMapper.Type, StringComparison.OrdinalIgnoreCase))
            return null;
        var key = Infrastructure.ResourceKeys.Of(parts[1], parts[3], parts[7]);
        return await db.ResourceGuards.AsNoTracking().FirstOrDefaultAsync(g => g.Key == key, ct);
    }

    /// <summary>The name of a vault mapped to <paramref name="guard"/>, or null.</summary>
    public static Task<string?> MappedVaultAsync(BackupDbContext db, ResourceGuard guard, CancellationToken ct)
    {
        var id = ResourceGuardMapper.Id(guard.SubscriptionId, guard.ResourceGroup, guard.Name).ToLowerInvariant();
        return db.ResourceGuardProxies.AsNoTracking().Where(p => p.ResourceGuardResourceId.ToLower() == id).Select(p => p.Vault!.Name).FirstOrDefaultAsync(ct);
    }

    /// <summary>Whether a client's <c>resourceGuardOperationRequests</c> entry names <paramref name="op"/>'s request on <paramref name="guard"/>.</summary>
    public static bool Names(string? request, ResourceGuard guard, GuardOperations.Operation op) =>
        request is not null && request.TrimEnd('/').Equals(
            GuardOperations.DefaultRequest(ResourceGuardMapper.Id(guard.SubscriptionId, guard.ResourceGroup, guard.Name), op), StringComparison.OrdinalIgnoreCase);

    /// <summary>The request type an entry names on <paramref name="guard"/> (<c>{guardId}/{requestType}/default</c>), or null.</summary>
    public static string? RequestTypeOf(string request, ResourceGuard guard)
    {
        var prefix = ResourceGuardMapper.Id(guard.SubscriptionId, guard.ResourceGroup, guard.Name) + "/";
        if (!request.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return null;
        var rest = request[prefix.Length..].TrimEnd('/').Split('/');
        return rest.Length == 2 && rest[1].Equals("default", StringComparison.OrdinalIgnoreCase) && GuardOperations.IsRequestType(rest[0])
            ? GuardOperations.CanonicalRequestType(rest[0]) : null;
    }

    /// <summary>
    /// The linked check of multi-user authorization: with RBAC enforced, the caller must be allowed to read the guard's
    /// request resource (Backup MUA Operator, Contributor or Owner on the guard); without RBAC, naming it suffices.
    /// </summary>
    public static async Task<ArmException?> LinkedCheckAsync(HttpContext http, IArmAccess access, ResourceGuard guard, string requestType, string action, string scope, CancellationToken ct)
    {
        var requestId = $"{ResourceGuardMapper.Id(guard.SubscriptionId, guard.ResourceGroup, guard.Name)}/{requestType}/default";
        var linkedAction = $"{ResourceGuardMapper.Type}/{requestType}/read";
        if (!access.Enforced || await access.IsAllowedAsync(http.User, linkedAction, requestId, ct)) return null;
        return Refusal(http, access, action, scope, linkedAction, requestId, "");
    }

    /// <summary>ARM's refusal of a failed linked check (403 <c>LinkedAuthorizationFailed</c>), with what to send to pass it.</summary>
    public static ArmException Refusal(HttpContext http, IArmAccess access, string action, string scope, string linkedAction, string linkedScope, string hint) =>
        new(StatusCodes.Status403Forbidden, "LinkedAuthorizationFailed",
            $"{access.Describe(http.User)} has permission to perform action '{action}' on scope '{scope}'; however, it does not have permission to perform action '{linkedAction}' on the linked scope(s) '{linkedScope}' or the linked scope(s) are invalid.{hint}");
}
