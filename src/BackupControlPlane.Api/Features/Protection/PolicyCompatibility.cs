using System.Text.Json.Nodes;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Protection;

/// <summary>
/// Which policy type may protect which VM (azure-protection-restore.md §1.4, §1.5): an item moves from a Standard to an
/// Enhanced policy, never back; a Trusted Launch VM takes a Standard policy only from api-version 2025-01-01 (Azure
/// relaxed the rule then; older clients were refused); a confidential VM takes Enhanced policies only. Azure does not
/// document the codes of these refusals: the ones below are the emulator's, with Azure's wording.
/// </summary>
public static class PolicyCompatibility
{
    public const string StandardForTrustedLaunchFrom = "2025-01-01";
    public const string TypeChangeRefused = "UserErrorPolicyTypeChangeToStandardNotAllowed";
    public const string TrustedLaunchNeedsEnhanced = "UserErrorTrustedLaunchVMRequiresEnhancedPolicy";
    public const string ConfidentialNeedsEnhanced = "UserErrorConfidentialVMRequiresEnhancedPolicy";

    /// <param name="current">The VM's protected item, if it has one (its policy is the one being changed).</param>
    /// <param name="apiVersion">The request's api-version; null (the emulator's own routes) reads as the newest.</param>
    public static async Task CheckAsync(BackupDbContext db, VirtualMachine vm, ProtectedItem? current, BackupPolicy policy, string? apiVersion, CancellationToken ct)
    {
        if (policy.EnhancedJson is not null) return;
        if (current?.PolicyId is { } was && was != policy.Id && await db.BackupPolicies.AnyAsync(p => p.Id == was && p.EnhancedJson != null, ct))
            throw ArmException.BadRequest(
                $"Backup doesn't allow changing the policy type to Standard after you enable a VM backup with the Enhanced policy: '{vm.Name}' stays on an Enhanced policy ('{policy.Name}' is a Standard policy).",
                TypeChangeRefused);
        switch (SecurityType(vm))
        {
            case "ConfidentialVM":
                throw ArmException.BadRequest(
                    $"Confidential VM '{vm.Name}' can only be protected using Enhanced Policy. Please provide a valid IaasVM Enhanced Policy ('{policy.Name}' is a Standard policy).",
                    ConfidentialNeedsEnhanced);
            case "TrustedLaunch" when apiVersion is { Length: >= 10 } v && string.CompareOrdinal(v[..10], StandardForTrustedLaunchFrom) < 0:
                throw ArmException.BadRequest(
                    $"Trusted VM '{vm.Name}' can only be protected using Enhanced Policy. Please provide a valid IaasVM Enhanced Policy ('{policy.Name}' is a Standard policy). "
                    + $"Standard policies protect Trusted Launch VMs from api-version {StandardForTrustedLaunchFrom} on; this request used {v}.",
                    TrustedLaunchNeedsEnhanced);
        }
    }

    /// <summary>The VM's securityProfile.securityType (TrustedLaunch, ConfidentialVM), as its PUT gave it; null for a standard VM.</summary>
    public static string? SecurityType(VirtualMachine vm)
    {
        // Most VMs say nothing of it: no parse for them (enable asks this of every VM it protects with a Standard policy).
        if (vm.SpecJson is null || !vm.SpecJson.Contains("securityType", StringComparison.OrdinalIgnoreCase)) return null;
        var type = JsonNode.Parse(vm.SpecJson)?["properties"]?["securityProfile"]?["securityType"];
        return type is JsonValue value && value.TryGetValue<string>(out var s) ? s : null;
    }
}
