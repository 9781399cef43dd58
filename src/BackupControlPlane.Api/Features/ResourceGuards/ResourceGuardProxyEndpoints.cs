using System.Text.Json;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.ResourceGuards;

/// <summary>
/// A vault's Resource Guard mapping (<c>backupResourceGuardProxies</c>; clients always name it <c>VaultProxy</c>): PUT
/// maps a guard, GET and list show it with the request to name for each critical operation, DELETE removes it (itself
/// a critical operation, <see cref="MuaEnforcement"/>), <c>unlockDelete</c> authorises the next critical delete.
/// A vault has one mapping.
/// </summary>
public static class ResourceGuardProxyEndpoints
{
    private const string Proxies = ArmRoutes.Vault + "/backupResourceGuardProxies";
    private static readonly TimeSpan UnlockLifetime = TimeSpan.FromMinutes(30);

    public static void MapResourceGuardProxyApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapArm().WithTags("Recovery Services vaults");
        group.MapGet(Proxies, List).WithSummary("The vault's Resource Guard mappings (multi-user authorization): none, or VaultProxy.");
        group.MapGet(Proxies + "/{resourceGuardProxyName}", Get);
        group.MapPut(Proxies + "/{resourceGuardProxyName}", Put).InOneTransaction().WithSummary("Map a Resource Guard to the vault (properties.resourceGuardResourceId): its critical operations then need the guard's approval.");
        group.MapDelete(Proxies + "/{resourceGuardProxyName}", Delete).InOneTransaction().WithSummary("Remove the mapping: a critical operation, allowed after unlockDelete.");
        group.MapPost(Proxies + "/{resourceGuardProxyName}/unlockDelete", UnlockDelete)
            .WithSummary("Authorise the next critical delete (stop protection with delete data, removing the mapping) for 30 minutes.");
    }

    private static async Task<Ok<ArmList<ProxyResource>>> List(string subscriptionId, string resourceGroupName, string vaultName, BackupDbContext db, CancellationToken ct)
    {
        var vault = await ArmLookups.FindVaultForReadAsync(db, subscriptionId, resourceGroupName, vaultName, ct);
        var proxies = await db.ResourceGuardProxies.AsNoTracking().Where(p => p.VaultId == vault.Id).ToListAsync(ct);
        return TypedResults.Ok(new ArmList<ProxyResource>(proxies.Select(p => ResourceGuardMapper.ToResource(p, ArmLookups.VaultId(vault))).ToList()));
    }

    private static async Task<Ok<ProxyResource>> Get(string subscriptionId, string resourceGroupName, string vaultName, string resourceGuardProxyName, BackupDbContext db, CancellationToken ct)
    {
        var vault = await ArmLookups.FindVaultForReadAsync(db, subscriptionId, resourceGroupName, vaultName, ct);
        var proxy = await FindAsync(db, vault, resourceGuardProxyName, ct) ?? throw NotFound(vault, resourceGuardProxyName);
        return TypedResults.Ok(ResourceGuardMapper.ToResource(proxy, ArmLookups.VaultId(vault)));
    }

    private static async Task<Ok<ProxyResource>> Put(string subscriptionId, string resourceGroupName, string vaultName, string resourceGuardProxyName,
        ProxyRequest? body, BackupDbContext db, TimeProvider time, HttpContext http, IArmAccess access, CancellationToken ct)
    {
        UnknownMembers.Refuse("resource guard mapping", "", body?.Other, "id", "name", "type", "eTag", "location", "tags");
        UnknownMembers.Refuse("resource guard mapping", "properties.", body?.Properties?.Other, "resourceGuardOperationDetails", "lastUpdatedTime");
        if (body?.Properties?.ResourceGuardResourceId is not { Length: > 0 } guardId)
            throw ArmException.BadRequest("'properties.resourceGuardResourceId' is required: the ARM id of a Microsoft.DataProtection/resourceGuards resource.", "InvalidParameter");
        var vault = await ArmLookups.FindVaultAsync(db, subscriptionId, resourceGroupName, vaultName, ct);
        var guard = await GuardMappings.FindGuardAsync(db, guardId, ct)
            ?? throw ArmException.BadRequest($"'properties.resourceGuardResourceId' '{guardId}' names no Resource Guard: create it first (PUT …/providers/Microsoft.DataProtection/resourceGuards/{{name}}).", "InvalidParameter");
        // Mapping a guard needs read access to it (Azure's linked check on the guard itself).
        if (access.Enforced && !await access.IsAllowedAsync(http.User, $"{ResourceGuardMapper.Type}/read", guardId, ct))
            throw GuardMappings.Refusal(http, access, $"{ResourceGuardMapper.ProxyType}/write", http.Request.Path, $"{ResourceGuardMapper.Type}/read", guardId, "");
        var proxy = await db.ResourceGuardProxies.FirstOrDefaultAsync(p => p.VaultId == vault.Id, ct);
        if (proxy is not null && !proxy.Name.Equals(resourceGuardProxyName, StringComparison.OrdinalIgnoreCase))
            throw new ArmException(409, "Conflict", $"The vault '{vaultName}' is already mapped to a Resource Guard by '{proxy.Name}'; a vault has one mapping.");
        if (proxy is null)
        {
            proxy = new ResourceGuardProxy { VaultId = vault.Id, Name = resourceGuardProxyName, ResourceGuardResourceId = "" };
            db.ResourceGuardProxies.Add(proxy);
        }
        proxy.ResourceGuardResourceId = ResourceGuardMapper.Id(guard.SubscriptionId, guard.ResourceGroup, guard.Name);
        proxy.Description = body.Properties.Description;
        proxy.LastUpdatedTime = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(ResourceGuardMapper.ToResource(proxy, ArmLookups.VaultId(vault)));
    }

    /// <summary>200 with <c>{}</c> as the real service answers; the critical-operation check ran before (MuaEnforcement).</summary>
    private static async Task<Results<Ok, NoContent>> Delete(string subscriptionId, string resourceGroupName, string vaultName,
        string resourceGuardProxyName, BackupDbContext db, CancellationToken ct)
    {
        var vault = await ArmLookups.FindVaultAsync(db, subscriptionId, resourceGroupName, vaultName, ct);
        var proxy = await db.ResourceGuardProxies.FirstOrDefaultAsync(p => p.VaultId == vault.Id, ct);
        if (proxy is null || !proxy.Name.Equals(resourceGuardProxyName, StringComparison.OrdinalIgnoreCase)) return TypedResults.NoContent();
        db.ResourceGuardProxies.Remove(proxy);
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(); // ResourceGuardProxy_Delete declares 200 without a body
    }

    private static async Task<Ok<UnlockDeleteResponse>> UnlockDelete(string subscriptionId, string resourceGroupName, string vaultName, string resourceGuardProxyName,
        UnlockDeleteRequest? body, BackupDbContext db, TimeProvider time, HttpContext http, IArmAccess access, CancellationToken ct)
    {
        UnknownMembers.Refuse("unlock delete request", "", body?.Other);
        var vault = await ArmLookups.FindVaultAsync(db, subscriptionId, resourceGroupName, vaultName, ct);
        var proxy = await FindAsync(db, vault, resourceGuardProxyName, ct, tracked: true) ?? throw NotFound(vault, resourceGuardProxyName);
        var guard = await GuardMappings.FindGuardAsync(db, proxy.ResourceGuardResourceId, ct) ?? throw NotFound(vault, resourceGuardProxyName);
        if (body?.ResourceGuardOperationRequests is not { Count: > 0 } requests)
            throw ArmException.BadRequest("'resourceGuardOperationRequests' must name at least one request of the vault's Resource Guard, e.g. " +
                $"'{ResourceGuardMapper.Id(guard.SubscriptionId, guard.ResourceGroup, guard.Name)}/deleteResourceGuardProxyRequests/default'.", "InvalidParameter");
        var types = new List<string>();
        foreach (var request in requests)
        {
            var type = GuardMappings.RequestTypeOf(request ?? "", guard)
                ?? throw ArmException.BadRequest($"'resourceGuardOperationRequests' names '{request}', which is not a request of the vault's Resource Guard '{proxy.ResourceGuardResourceId}' ({{guardId}}/{{requestType}}/default).", "InvalidParameter");
            if (await GuardMappings.LinkedCheckAsync(http, access, guard, type, $"{ResourceGuardMapper.ProxyType}/unlockDelete/action", http.Request.Path, ct) is { } refusal) throw refusal;
            types.Add(type);
        }
        var expiry = time.GetUtcNow() + UnlockLifetime;
        proxy.UnlockedRequestsJson = JsonSerializer.Serialize(types);
        proxy.UnlockedResource = string.IsNullOrWhiteSpace(body.ResourceToBeDeleted) ? null : body.ResourceToBeDeleted.Trim();
        proxy.UnlockExpiresAt = expiry;
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(new UnlockDeleteResponse(expiry));
    }

    private static async Task<ResourceGuardProxy?> FindAsync(BackupDbContext db, Vault vault, string name, CancellationToken ct, bool tracked = false)
    {
        var proxy = await (tracked ? db.ResourceGuardProxies : db.ResourceGuardProxies.AsNoTracking()).FirstOrDefaultAsync(p => p.VaultId == vault.Id, ct);
        return proxy is not null && proxy.Name.Equals(name, StringComparison.OrdinalIgnoreCase) ? proxy : null;
    }

    private static ArmException NotFound(Vault vault, string name) => ArmException.NotFound($"{ArmLookups.VaultId(vault)}/backupResourceGuardProxies/{name}");
}
