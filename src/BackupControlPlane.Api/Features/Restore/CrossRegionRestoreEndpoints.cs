using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Features.Vaults;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BackupControlPlane.Api.Features.Restore;

/// <summary>
/// Cross-region restore, as the az CLI's <c>--use-secondary-region</c> drives it: the secondary region's AAD
/// properties, a recovery point's access token, and the restore itself, which runs through the same restore pipeline as
/// a restore in the vault's own region but reads only the vault tier (the replicated copy), writes into the secondary
/// region's storage account and resource group, and records its job in the secondary region (backupCrrJobs).
/// </summary>
public static class CrossRegionRestoreEndpoints
{
    private const string Location = "/subscriptions/{subscriptionId}/providers/Microsoft.RecoveryServices/locations/{azureRegion}";

    public static void MapCrossRegionRestore(this IEndpointRouteBuilder app)
    {
        var group = app.MapArm().WithTags("Cross-region restore");
        group.MapGet(Location + "/backupAadProperties", AadProperties)
            .WithSummary("The AAD properties of the region's backup service, which RP/accessToken takes as its body.");
        group.MapPost(ArmRoutes.ProtectedItem + "/recoveryPoints/{recoveryPointId}/accessToken", AccessToken)
            .WithSummary("An access token for restoring a replicated recovery point in the vault's secondary region (CrrAccessToken).");
        group.MapPost(Location + "/backupCrossRegionRestore", Restore).LongRunning()
            .WithSummary("Restore a replicated recovery point in the vault's secondary region: 202; the job is listed by backupCrrJobs.");
    }

    private static Ok<AadPropertiesResource> AadProperties(string subscriptionId, string azureRegion, IOptions<EmulatorOptions> options)
    {
        var region = azureRegion.ToLowerInvariant();
        if (RegionPairs.SecondaryOf(region) is null)
            throw ArmException.BadRequest($"Region '{azureRegion}' has no paired region: cross-region restore is not available there.", SecondaryRegion.NotAvailableCode);
        var geo = CrossRegionAccessTokens.Geo(region);
        return TypedResults.Ok(new AadPropertiesResource(
            $"/subscriptions/{subscriptionId}/providers/Microsoft.RecoveryServices/locations/{region}/backupAadProperties", "backupAadProperties",
            "Microsoft.RecoveryServices/locations/backupAadProperties",
            new AadProperties(options.Value.TenantId, $"https://RecoveryServices/IaasCoord/aadmgmt/{geo}",
                CrossRegionAccessTokens.StampId(region, "principal"), CrossRegionAccessTokens.StampId(region, "client"), "https://login.windows.net")));
    }

    private static async Task<Ok<CrrAccessTokenResource>> AccessToken([AsParameters] ItemRoute route, string recoveryPointId,
        BackupDbContext db, CrossRegionAccessTokens tokens, TimeProvider time, IOptions<EmulatorOptions> options, CancellationToken ct)
    {
        var vault = await route.VaultAsync(db, ct);
        SecondaryRegion.Of(vault);
        var container = route.Container();
        var itemId = ArmIds.ProtectedItem(ArmLookups.VaultId(vault), container);
        var item = await db.ProtectedItems.AsNoTracking().Include(i => i.VirtualMachine)
            .FirstOrDefaultAsync(i => i.VaultId == vault.Id && i.ContainerName == container, ct) ?? throw ArmException.NotFound(itemId);
        var point = await ReplicatedPointAsync(db, item, recoveryPointId, time, options.Value, ct)
            ?? throw ArmException.NotFound(ArmIds.RecoveryPoint(itemId, recoveryPointId) + " (in the secondary region)");
        var id = ArmIds.RecoveryPoint(itemId, recoveryPointId) + "/accessToken";
        return TypedResults.Ok(new CrrAccessTokenResource(id, "accessToken",
            "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems/recoveryPoints/accessToken",
            tokens.Issue(vault, item, point, itemId)));
    }

    private static async Task<IResult> Restore(string subscriptionId, string azureRegion, CrossRegionRestoreRequest? body,
        BackupDbContext db, CrossRegionAccessTokens tokens, RestoreService restore, TimeProvider time, IOptions<EmulatorOptions> options,
        HttpContext http, CancellationToken ct)
    {
        if (body?.RestoreRequest is null) throw ArmException.BadRequest("The request body must carry 'restoreRequest' (an IaasVMRestoreRequest) and 'crossRegionRestoreAccessDetails'.");
        var grant = tokens.Redeem(body.CrossRegionRestoreAccessDetails?.AccessTokenString);
        var vault = await db.Vaults.FirstOrDefaultAsync(v => v.Id == grant.VaultId, ct)
            ?? throw ArmException.BadRequest("The vault this access token was issued for no longer exists.", SecondaryRegion.NotAvailableCode);
        if (!vault.SubscriptionId.Equals(subscriptionId, StringComparison.OrdinalIgnoreCase))
            throw ArmException.BadRequest($"The access token is for a vault of subscription {vault.SubscriptionId}, not {subscriptionId}.", SecondaryRegion.NotAvailableCode);
        var secondary = SecondaryRegion.Of(vault);
        var region = azureRegion.ToLowerInvariant();
        if (region != secondary)
            throw ArmException.BadRequest($"Region '{azureRegion}' is not the secondary region of vault '{vault.Name}' ({vault.Location}): restore in '{secondary}'.",
                SecondaryRegion.NotAvailableCode);
        var p = body.RestoreRequest;
        if (p.Region is { Length: > 0 } requested && !requested.Replace(" ", "").Equals(secondary, StringComparison.OrdinalIgnoreCase))
            throw ArmException.BadRequest($"restoreRequest.region '{requested}' is not the secondary region '{secondary}': a cross-region restore lands there.",
                SecondaryRegion.NotAvailableCode);

        var itemId = ArmIds.ProtectedItem(ArmLookups.VaultId(vault), grant.ContainerName);
        var item = await db.ProtectedItems.Include(i => i.VirtualMachine!).ThenInclude(v => v.Disks).ThenInclude(d => d.ManagedDisk).AsSplitQuery()
            .FirstOrDefaultAsync(i => i.VaultId == vault.Id && i.ContainerName == grant.ContainerName, ct) ?? throw ArmException.NotFound(itemId);
        if (item.DeferredDeleteTime is not null)
            throw ArmException.BadRequest("The item is soft-deleted: undelete it before restoring from its recovery points.", "UserErrorBackupItemSoftDeleted");
        var point = await ReplicatedPointAsync(db, item, grant.RecoveryPointName, time, options.Value, ct)
            ?? throw ArmException.NotFound(ArmIds.RecoveryPoint(itemId, grant.RecoveryPointName) + " (in the secondary region)");

        var target = await RestoreEndpoints.ValidateAsync(p, item, point, db, ct);
        // Restored managed disks are created where the restore lands: the secondary region.
        if (target.Managed is { } managed) target = target with { Managed = managed with { Location = secondary } };
        await RequireInRegionAsync(db, p, target, secondary, ct);
        var op = await restore.StartAsync(vault, item, point, target, ct, secondaryRegion: secondary);
        var location = $"/subscriptions/{vault.SubscriptionId}/providers/Microsoft.RecoveryServices/locations/{secondary}";
        return ArmAccepted.Accepted(http, $"{location}/backupCrrOperationResults/{op.Id}", $"{location}/backupCrrOperationsStatus/{op.Id}");
    }

    /// <summary>The point, with its disks, if it has reached the secondary region; null otherwise.</summary>
    private static Task<RecoveryPoint?> ReplicatedPointAsync(BackupDbContext db, ProtectedItem item, string name, TimeProvider time,
        EmulatorOptions options, CancellationToken ct) =>
        CrossRegionReplication.Replicated(db, db.RecoveryPoints.Include(r => r.Disks).Where(r => r.ProtectedItemId == item.Id && r.Name == name),
            time.GetUtcNow(), options.CrossRegionReplicationDelay).FirstOrDefaultAsync(ct);

    /// <summary>The target storage account and resource group, where they exist as resources, must be in the secondary region (as Azure requires).</summary>
    private static async Task RequireInRegionAsync(BackupDbContext db, IaasVmRestoreRequestProperties p, RestoreEndpoints.RestoreTarget target,
        string secondary, CancellationToken ct)
    {
        var accountId = ArmResourceIds.Parse(p.StorageAccountId is { Length: > 0 } id ? id : p.IdentityBasedRestoreDetails?.TargetStorageAccountId,
            "Microsoft.Storage/storageAccounts");
        var accountKey = accountId is null ? "" : ResourceKeys.Of(accountId.SubscriptionId, accountId.ResourceGroup, accountId.Name);
        var account = await db.StorageAccounts.AsNoTracking().FirstOrDefaultAsync(a => a.Key == accountKey, ct);
        if (account is not null && !account.Location.Equals(secondary, StringComparison.OrdinalIgnoreCase))
            throw ArmException.BadRequest($"Storage account '{account.Name}' is in '{account.Location}': a cross-region restore writes to a storage account " +
                $"in the secondary region '{secondary}'.", SecondaryRegion.NotAvailableCode);
        if (p.TargetResourceGroupId is not { Length: > 0 } groupId) return;
        var groupKey = ResourceKeys.Of(groupId.Split('/', StringSplitOptions.RemoveEmptyEntries)[1], target.TargetResourceGroup, "");
        var group = await db.ResourceGroups.AsNoTracking().FirstOrDefaultAsync(g => g.Key == groupKey, ct);
        if (group is not null && !group.Location.Equals(secondary, StringComparison.OrdinalIgnoreCase))
            throw ArmException.BadRequest($"Resource group '{group.Name}' is in '{group.Location}': a cross-region restore's target resource group must be " +
                $"in the secondary region '{secondary}'.", SecondaryRegion.NotAvailableCode);
    }
}
