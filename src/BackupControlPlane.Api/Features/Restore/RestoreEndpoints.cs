using System.Text.RegularExpressions;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Features.Protection;
using BackupControlPlane.Api.Features.Vaults;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Restore;

public static partial class RestoreEndpoints
{
    /// <summary>The emulator's code for Azure features it does not emulate; the message says what to use instead.</summary>
    public const string NotSupported = "BMSUserErrorNotSupported";

    /// <summary>Restoring a disk a selective backup left out: Azure documents no specific code, so its generic invalid-input one.</summary>
    public const string ExcludedDiskCode = "BMSUserErrorInvalidInput";

    /// <summary>Azure's generic invalid-input code, for the refusals it documents only by message (a missing subnet, a target VM name in use…).</summary>
    public const string InvalidInput = ExcludedDiskCode;

    public static void MapRestore(this IEndpointRouteBuilder app) =>
        app.MapArm().WithTags("Restore")
            .MapPost(ArmRoutes.ProtectedItem + "/recoveryPoints/{recoveryPointId}/restore", Restore).LongRunning()
            .WithSummary("Restore (IaasVMRestoreRequest): RestoreDisks (VHDs in the storage account, or managed disks in targetResourceGroupId), "
                + "AlternateLocation (a new VM) or OriginalLocation (replace the VM's disks); 202 with Azure-AsyncOperation and Location, then a Restore job.");

    private static async Task<IResult> Restore(
        [AsParameters] ItemRoute route,
        string recoveryPointId, RestoreRequest? body, BackupDbContext db, RestoreService restore, HttpContext http, CancellationToken ct)
    {
        var vault = await route.VaultAsync(db, ct);
        var container = route.Container();
        var itemId = ArmIds.ProtectedItem(ArmLookups.VaultId(vault), container);
        var item = await db.ProtectedItems.Include(i => i.VirtualMachine!).ThenInclude(v => v.Disks).ThenInclude(d => d.ManagedDisk)
            .FirstOrDefaultAsync(i => i.VaultId == vault.Id && i.ContainerName == container, ct) ?? throw ArmException.NotFound(itemId);
        if (item.DeferredDeleteTime is not null)
            throw ArmException.BadRequest("The item is soft-deleted: undelete it (PUT with protectionState ProtectionStopped and isRehydrate true) " +
                "before restoring from its recovery points.", "UserErrorBackupItemSoftDeleted");
        var point = await db.RecoveryPoints.Include(r => r.Disks)
            .FirstOrDefaultAsync(r => r.ProtectedItemId == item.Id && r.Name == recoveryPointId, ct)
            ?? throw ArmException.NotFound(ArmIds.RecoveryPoint(itemId, recoveryPointId));

        var target = await ValidateAsync(body?.Properties, item, point, db, ct);
        var op = await restore.StartAsync(vault, item, point, target, ct);
        return ArmAccepted.Accepted(http, $"{itemId}/operationResults/{op.Id}", $"{itemId}/operationsStatus/{op.Id}");
    }

    /// <summary>
    /// A checked request: the storage account, the resource group the job names as target, the data disks to restore
    /// (null: all), the mode, for managed disks where they go (<see cref="ManagedTarget"/>) and the new VM, if any, and
    /// for an archived point how it is rehydrated first.
    /// </summary>
    public sealed record RestoreTarget(string StorageAccount, string TargetResourceGroup, int[]? DataDiskLuns,
        string Mode = RestoreModes.RestoreDisks, ManagedTarget? Managed = null, NewVmTarget? NewVm = null, bool OriginalStorageAccount = false,
        RehydrationPlan? Rehydrate = null);

    /// <summary>Managed disks restored into this group and region (zone, if pinned), named after <paramref name="VmName"/>.</summary>
    public sealed record ManagedTarget(string SubscriptionId, string ResourceGroup, string Location, string? Zone, string VmName);

    public sealed record NewVmTarget(string Name, long SubnetId);

    /// <summary>
    /// Checks an IaasVMRestoreRequest before anything is stored. The URL names the recovery point (the body's
    /// recoveryPointId is informational) and region is not checked: the emulator's storage has no regions. Each mode
    /// checks its own members (<see cref="ManagedDiskRestore"/>, <see cref="AlternateLocationRestore"/>, <see cref="OriginalLocationRestore"/>).
    /// </summary>
    public static async Task<RestoreTarget> ValidateAsync(IaasVmRestoreRequestProperties? p, ProtectedItem item, RecoveryPoint point, BackupDbContext db, CancellationToken ct)
    {
        if (p is null) throw ArmException.BadRequest("The request body must carry 'properties' (an IaasVMRestoreRequest).");
        switch (p.ObjectType)
        {
            case null or "": throw ArmException.BadRequest("properties.objectType is required: use 'IaasVMRestoreRequest'.");
            case var t when t.Equals("IaasVMRestoreRequest", StringComparison.OrdinalIgnoreCase): break;
            case var t when t.Equals("IaasVMRestoreWithRehydrationRequest", StringComparison.OrdinalIgnoreCase): break;
            case var t: throw ArmException.BadRequest($"objectType '{t}' is not a restore request for Azure VMs: use 'IaasVMRestoreRequest'.");
        }
        var mode = new[] { RestoreModes.RestoreDisks, RestoreModes.AlternateLocation, RestoreModes.OriginalLocation }
            .FirstOrDefault(m => m.Equals(p.RecoveryType, StringComparison.OrdinalIgnoreCase));
        if (mode is null)
            throw ArmException.BadRequest(string.IsNullOrEmpty(p.RecoveryType) ? "properties.recoveryType is required: use 'RestoreDisks', 'AlternateLocation' or 'OriginalLocation'."
                : $"recoveryType '{p.RecoveryType}' is not a restore type of Azure VMs: use 'RestoreDisks', 'AlternateLocation' or 'OriginalLocation'.");
        if (p.SourceResourceId is { Length: > 0 } source)
        {
            var vm = ArmItemNames.ParseVmId(source);
            if (!ResourceKeys.Of(vm.Sub, vm.Rg, vm.Name).Equals(item.VirtualMachine!.Key, StringComparison.Ordinal))
                throw ArmException.BadRequest($"properties.sourceResourceId '{source}' is not the VM this item protects ({item.VirtualMachine.Name}).");
        }
        if (p.EncryptionDetails?.EncryptionEnabled == true)
            throw ArmException.BadRequest("Emulated VMs are never encrypted: send encryptionDetails.encryptionEnabled false or leave it out.", NotSupported);

        // A restore with the vault's managed identity names the account in identityBasedRestoreDetails instead.
        var accountId = p.StorageAccountId is { Length: > 0 } id ? id : p.IdentityBasedRestoreDetails?.TargetStorageAccountId;
        if (string.IsNullOrEmpty(accountId))
            throw ArmException.BadRequest("properties.storageAccountId is required: the storage account the disks are restored to.");
        var account = StorageAccountId().Match(accountId);
        if (!account.Success)
            throw ArmException.BadRequest($"storageAccountId '{accountId}' is not a storage account id " +
                "(/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Storage/storageAccounts/{name}, the name 3-24 letters and digits).");
        var targetGroup = account.Groups["rg"].Value;
        (string Sub, string Rg)? target = null;
        if (p.TargetResourceGroupId is { Length: > 0 } rgId)
        {
            var group = ResourceGroupId().Match(rgId);
            if (!group.Success) throw ArmException.BadRequest($"targetResourceGroupId '{rgId}' is not a resource group id (/subscriptions/{{sub}}/resourceGroups/{{rg}}).");
            target = (group.Groups["sub"].Value, group.Groups["rg"].Value);
            targetGroup = group.Groups["rg"].Value;
        }

        var dataLuns = point.Disks.Where(d => d.Lun >= 0).Select(d => d.Lun).Order().ToList();
        var unknown = p.RestoreDiskLunList?.Where(l => !dataLuns.Contains(l)).ToList();
        // Selective disk backup: a disk the backup left out is not in the point, so it can never be restored from it.
        var excluded = PointDiskConfiguration.Parse(point.DiskConfigurationJson)?.ExcludedDiskList.Where(d => unknown?.Contains(d.Lun) == true).ToList();
        if (excluded is { Count: > 0 })
            throw ArmException.BadRequest($"restoreDiskLunList names LUN {string.Join(", ", excluded.Select(d => $"{d.Lun} ({d.Name})"))}, which was excluded from the backup " +
                $"of recovery point {point.Name} (selective disk backup): only the disks it includes can be restored, at LUN " +
                $"{(dataLuns.Count == 0 ? "none (OS disk only: restoreDiskLunList [])" : string.Join(", ", dataLuns))}.", ExcludedDiskCode);
        if (unknown is { Count: > 0 })
            throw ArmException.BadRequest($"restoreDiskLunList names LUN {string.Join(", ", unknown)}, which recovery point {point.Name} does not hold; " +
                $"its data disks are at LUN {(dataLuns.Count == 0 ? "none" : string.Join(", ", dataLuns))}.");
        // ARM ids are case-insensitive and storage account names lowercase: "testAccount" in an id is "testaccount".
        // An archived point restores only with rehydration.
        var basic = new RestoreTarget(account.Groups["name"].Value.ToLowerInvariant(), targetGroup, p.RestoreDiskLunList?.Distinct().Order().ToArray(), mode,
            Rehydrate: ArchiveRehydration.Check(p, point));
        var state = PointVmState.OfPoint(point, item.VirtualMachine!);
        if (p.OriginalStorageAccountOption == true)
        {
            // The CLI's own words: only an unmanaged VM's point can put its disks back into their original storage accounts.
            if (state.IsManaged || mode != RestoreModes.RestoreDisks)
                throw ArmException.BadRequest("This recovery point doesn't have the capability to restore disks to their original storage accounts " +
                    $"(originalStorageAccountOption true is for restoring the disks of a VM with unmanaged disks{(state.IsManaged ? "; this VM's disks were managed" : "")}, " +
                    "with recoveryType 'RestoreDisks'): send originalStorageAccountOption false.");
            basic = basic with { OriginalStorageAccount = true };
        }
        return mode switch
        {
            RestoreModes.AlternateLocation => await AlternateLocationRestore.CheckAsync(p, basic, target, item, point, state, db, ct),
            RestoreModes.OriginalLocation => OriginalLocationRestore.Check(p, basic, account.Groups["sub"].Value, item, point, state),
            _ => ManagedDiskRestore.Check(p, basic, target, item.VirtualMachine!, state),
        };
    }

    /// <summary>Refuses a point taken with some disks excluded: Azure offers only Restore disks for it.</summary>
    public static void RequireWholeVm(RecoveryPoint point, string mode)
    {
        if (PointDiskConfiguration.Parse(point.DiskConfigurationJson)?.ExcludedDiskList is { Count: > 0 } excluded)
            throw ArmException.BadRequest($"Recovery point {point.Name} was taken with LUN {string.Join(", ", excluded.Select(d => d.Lun))} excluded (selective disk backup): " +
                $"such a point supports only 'RestoreDisks', not '{mode}'.", ExcludedDiskCode);
    }

    [GeneratedRegex(@"^/subscriptions/(?<sub>[^/]+)/resourceGroups/(?<rg>[^/]+)/providers/Microsoft\.Storage/storageAccounts/(?<name>[a-z0-9]{3,24})/?$", RegexOptions.IgnoreCase)]
    private static partial Regex StorageAccountId();

    [GeneratedRegex(@"^/subscriptions/(?<sub>[^/]+)/resourceGroups/(?<rg>[^/]+)/?$", RegexOptions.IgnoreCase)]
    private static partial Regex ResourceGroupId();
}
