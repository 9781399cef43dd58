using System.Text.Json.Nodes;
using BackupControlPlane.Api.Arm;

namespace BackupControlPlane.Api.Features.Vaults;

/// <summary>
/// The vault's managed identity as ARM keeps it: <c>SystemAssigned</c> gets a principalId and tenantId, each
/// user-assigned identity a principalId and clientId; the ids stay the same for as long as the identity stays assigned.
/// A PATCH's <c>userAssignedIdentities</c> merges (an identity mapped to null is removed); <c>type: None</c> removes all.
/// </summary>
public static class VaultIdentity
{
    /// <returns>The identity to store, or null for none.</returns>
    public static JsonObject? Apply(JsonObject? current, JsonObject sent, string tenantId, bool merge)
    {
        var type = VaultSettingsMapper.Enum(sent["type"], "None", "SystemAssigned", "UserAssigned", "SystemAssigned, UserAssigned", "SystemAssigned,UserAssigned")
            ?? throw ArmException.BadRequest("'identity.type' is required: None, SystemAssigned, UserAssigned or 'SystemAssigned, UserAssigned'.");
        if (type == "None") return null;
        var system = type.StartsWith("SystemAssigned", StringComparison.Ordinal);
        var user = type.EndsWith("UserAssigned", StringComparison.Ordinal);
        var result = new JsonObject { ["type"] = system && user ? "SystemAssigned, UserAssigned" : type };
        if (system)
        {
            result["principalId"] = current?["principalId"]?.GetValue<string>() ?? Guid.NewGuid().ToString();
            result["tenantId"] = tenantId;
        }
        if (!user)
        {
            if (sent["userAssignedIdentities"] is JsonObject { Count: > 0 })
                throw ArmException.BadRequest($"'identity.userAssignedIdentities' is given, but identity.type '{type}' has no user-assigned identity.");
            return result;
        }
        var before = current?["userAssignedIdentities"] as JsonObject;
        var identities = new JsonObject();
        if (merge && before is not null)
            foreach (var (id, value) in before) identities[id] = value?.DeepClone();
        foreach (var (id, value) in sent["userAssignedIdentities"] as JsonObject ?? [])
        {
            var key = identities.FirstOrDefault(m => m.Key.Equals(id, StringComparison.OrdinalIgnoreCase)).Key;
            if (value is null) { if (key is not null) identities.Remove(key); continue; }
            if (!id.Contains("/providers/Microsoft.ManagedIdentity/userAssignedIdentities/", StringComparison.OrdinalIgnoreCase))
                throw ArmException.BadRequest($"'identity.userAssignedIdentities' key '{id}' must be the resource id of a user-assigned identity (…/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{{name}}).");
            if (key is not null) continue;
            var kept = before?.FirstOrDefault(m => m.Key.Equals(id, StringComparison.OrdinalIgnoreCase)).Value;
            identities[id] = kept?.DeepClone() ?? new JsonObject { ["principalId"] = Guid.NewGuid().ToString(), ["clientId"] = Guid.NewGuid().ToString() };
        }
        if (identities.Count == 0)
            throw ArmException.BadRequest($"identity.type '{type}' needs at least one entry in 'identity.userAssignedIdentities'.");
        result["userAssignedIdentities"] = identities;
        return result;
    }
}
