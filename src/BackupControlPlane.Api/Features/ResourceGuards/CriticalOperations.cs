using System.Text.Json.Nodes;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.ResourceGuards;

/// <summary>
/// Which critical operations (azure-vault-security-iac.md §4.3) a request to a vault performs, read from its method,
/// its route under the vault and the body fields that make it critical: turning soft delete or enhanced security off
/// (vault or vaultconfig), disabling immutability, setting encryption, stopping protection (delete data; keep data),
/// moving an item to a policy of shorter retention, shortening a policy's retention, removing or re-pointing the
/// vault's Resource Guard mapping.
/// </summary>
public static class CriticalOperations
{
    public static async Task<List<GuardOperations.Operation>> ClassifyAsync(BackupDbContext db, Vault vault, string method, string[] rest, JsonNode? body, CancellationToken ct)
    {
        var ops = new List<GuardOperations.Operation>();
        var properties = body?["properties"];
        var write = method is "PUT" or "PATCH";
        switch (rest.Select(r => r.ToLowerInvariant()).ToArray())
        {
            case [] when write:
                var security = properties?["securitySettings"];
                if (Is(security?["softDeleteSettings"]?["softDeleteState"], "Disabled")) ops.Add(GuardOperations.DisableSoftDelete);
                if (Is(security?["softDeleteSettings"]?["enhancedSecurityState"], "Disabled") && !ops.Contains(GuardOperations.DisableSoftDelete)) ops.Add(GuardOperations.DisableSoftDelete);
                if (Is(security?["immutabilitySettings"]?["state"], "Disabled")) ops.Add(GuardOperations.ReduceImmutability);
                if (properties?["encryption"] is JsonObject) ops.Add(GuardOperations.ModifyEncryption);
                break;
            case ["backupconfig", "vaultconfig"] when write:
                if (Is(properties?["softDeleteFeatureState"], "Disabled") || Is(properties?["enhancedSecurityState"], "Disabled")) ops.Add(GuardOperations.DisableSoftDelete);
                break;
            case ["backupresourceguardproxies", _]:
                if (method == "DELETE") ops.Add(GuardOperations.DeleteProxy);
                else if (method == "PUT" && await RepointsAsync(db, vault, rest[1], properties, ct)) ops.Add(GuardOperations.DeleteProxy);
                break;
            case ["backuppolicies", _] when method == "PUT":
                var policy = await PolicyAsync(db, vault, rest[1], ct);
                if (policy is not null && properties?["retentionPolicy"] is JsonObject retention && RetentionMeasure.Reduces(RetentionMeasure.Of(policy), RetentionMeasure.Of(retention)))
                    ops.Add(GuardOperations.UpdatePolicy);
                break;
            case ["backupfabrics", _, "protectioncontainers", var container, "protecteditems", _]:
                if (method == "DELETE") ops.Add(GuardOperations.DeleteProtectedItem);
                else if (method == "PUT" && await ItemOperationAsync(db, vault, container, properties, ct) is { } op) ops.Add(op);
                break;
        }
        return ops;
    }

    private static async Task<BackupPolicy?> PolicyAsync(BackupDbContext db, Vault vault, string name, CancellationToken ct) =>
        (await db.BackupPolicies.AsNoTracking().Where(p => p.VaultId == vault.Id).ToListAsync(ct)).FirstOrDefault(p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase));

    private static bool Is(JsonNode? value, string expected) =>
        value is JsonValue v && v.TryGetValue<string>(out var s) && s.Equals(expected, StringComparison.OrdinalIgnoreCase);

    /// <summary>A PUT of the existing mapping that names another guard removes the first guard's protection.</summary>
    private static async Task<bool> RepointsAsync(BackupDbContext db, Vault vault, string name, JsonNode? properties, CancellationToken ct)
    {
        var existing = await db.ResourceGuardProxies.AsNoTracking().FirstOrDefaultAsync(p => p.VaultId == vault.Id, ct);
        return existing is not null && (properties?["resourceGuardResourceId"] is not JsonValue id || !id.TryGetValue<string>(out var guardId)
            || !guardId.TrimEnd('/').Equals(existing.ResourceGuardResourceId, StringComparison.OrdinalIgnoreCase) || !existing.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Stopping protection (keeping data) of an existing item, or moving it to a policy of shorter retention.</summary>
    private static async Task<GuardOperations.Operation?> ItemOperationAsync(BackupDbContext db, Vault vault, string containerSegment, JsonNode? properties, CancellationToken ct)
    {
        if (ArmIds.ParseContainerName(containerSegment, "IaasVMContainer") is not { } container) return null;
        var item = await db.ProtectedItems.AsNoTracking().Include(i => i.Policy).FirstOrDefaultAsync(i => i.VaultId == vault.Id && i.ContainerName == container, ct);
        if (item is null) return null;
        if (Is(properties?["protectionState"], ProtectionStates.ProtectionStopped) || Is(properties?["protectionState"], "BackupsSuspended"))
            return item.ProtectionState == ProtectionStates.ProtectionStopped ? null : GuardOperations.StopProtectionRetainData;
        if (item.Policy is null || properties?["policyId"] is not JsonValue policyId || !policyId.TryGetValue<string>(out var id)) return null;
        var name = id.TrimEnd('/').Split('/')[^1];
        if (name.Equals(item.Policy.Name, StringComparison.OrdinalIgnoreCase)) return null;
        var target = await PolicyAsync(db, vault, name, ct);
        return target is not null && RetentionMeasure.Reduces(RetentionMeasure.Of(item.Policy), RetentionMeasure.Of(target)) ? GuardOperations.UpdateProtectedItem : null;
    }
}
