using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Vaults;

public sealed record UsageName(string Value, string LocalizedValue);

public sealed record BackupManagementUsage(string Unit, long CurrentValue, long Limit, UsageName Name);

/// <summary>
/// <c>backupUsageSummaries</c>: what the vault holds, counted from its rows. With <c>$filter=type eq '…'</c> Azure's two
/// summaries (protected items, protection containers, per backup management type; only AzureIaasVM here); without one,
/// the item count and the vault's backup storage in bytes (the vault copies of its recovery points, as measured when copied).
/// </summary>
public static class VaultUsageEndpoints
{
    private const string ItemCount = "BackupProtectedItemCountSummary";
    private const string ContainerCount = "BackupProtectionContainerCountSummary";
    private static readonly UsageName IaasVm = new("AzureIaasVM", "Azure Virtual Machine");

    public static void MapVaultUsage(this IEndpointRouteBuilder app) =>
        app.MapArm().WithTags("Recovery Services vaults").MapGet(ArmRoutes.Vault + "/backupUsageSummaries", List)
            .WithSummary("Protected item and container counts ($filter=type eq 'BackupProtectedItemCountSummary' or 'BackupProtectionContainerCountSummary'), and storage used.");

    private static async Task<Ok<ArmList<BackupManagementUsage>>> List(string subscriptionId, string resourceGroupName, string vaultName,
        BackupDbContext db, CancellationToken ct, [FromQuery(Name = "$filter")] string? filter = null)
    {
        var vault = await ArmLookups.FindVaultForReadAsync(db, subscriptionId, resourceGroupName, vaultName, ct);
        string? type = null;
        foreach (var (key, value) in Jobs.ODataFilter.Parse(filter))
        {
            if (!key.Equals("type", StringComparison.OrdinalIgnoreCase))
                throw ArmException.BadRequest($"Unsupported $filter key '{key}' on backupUsageSummaries: Azure filters it by type only.");
            type = new[] { ItemCount, ContainerCount }.FirstOrDefault(t => t.Equals(value, StringComparison.OrdinalIgnoreCase))
                ?? throw ArmException.BadRequest($"Unsupported usage summary type '{value}': use '{ItemCount}' or '{ContainerCount}'.");
        }
        var items = db.ProtectedItems.AsNoTracking().Where(i => i.VaultId == vault.Id && i.DeferredDeleteTime == null);
        var count = await items.CountAsync(ct);
        // One IaaS VM container per protected VM, so both counts are the same number, as Azure shows for VM-only vaults.
        var usages = new List<BackupManagementUsage> { new("Count", count, -1, IaasVm) };
        if (type is null)
        {
            var itemIds = db.ProtectedItems.Where(i => i.VaultId == vault.Id).Select(i => i.Id);
            var bytes = await db.RecoveryPointDisks.Where(d => db.RecoveryPoints.Any(r => r.Id == d.RecoveryPointId && r.HardenedRpValid && itemIds.Contains(r.ProtectedItemId)))
                .SumAsync(d => (long?)d.SizeBytes, ct) ?? 0;
            usages.Add(new BackupManagementUsage("Bytes", bytes, -1, new UsageName("GRSStorage", "Cloud - GRS")));
        }
        return TypedResults.Ok(new ArmList<BackupManagementUsage>(usages));
    }
}
