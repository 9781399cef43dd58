using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Protection;

/// <summary>Sent by <c>az backup protection enable-for-vm / update-for-vm --disk-list-setting</c> and <c>--exclude-all-data-disks</c>.</summary>
public sealed record ProtectedItemExtendedProperties(DiskExclusionProperties? DiskExclusionProperties = null);

/// <summary>Azure's <c>DiskExclusionProperties</c>: data-disk LUNs to back up only (inclusion list) or to leave out.</summary>
public sealed record DiskExclusionProperties(int[]? DiskLunList, bool? IsInclusionList);

/// <summary>What an enable or update PUT does to the item's selective disk backup setting: the new setting's JSON, or null to back up every disk.</summary>
public sealed record DiskExclusionUpdate(string? Json);

/// <summary>
/// Reads <c>extendedProperties.diskExclusionProperties</c> of a protected item PUT, as Azure does: no
/// <c>extendedProperties</c> keeps the item's setting (a policy change sends none); <c>extendedProperties</c> without
/// <c>diskExclusionProperties</c> (the CLI's <c>resetexclusionsettings</c>) backs up every disk again; a setting replaces
/// the previous one whole. Every LUN named must be a data disk attached to the VM.
/// </summary>
public static class DiskExclusionRequest
{
    /// <summary>Azure documents no specific code for a LUN the VM does not have; its generic invalid-input code.</summary>
    public const string InvalidInput = "BMSUserErrorInvalidInput";

    public static async Task<DiskExclusionUpdate?> ReadAsync(ProtectedItemExtendedProperties? extended, VirtualMachine vm, BackupDbContext db, CancellationToken ct)
    {
        if (extended is null) return null;
        if (extended.DiskExclusionProperties is not { } disks) return new DiskExclusionUpdate(null);
        if (disks.IsInclusionList is not { } inclusion)
            throw ArmException.BadRequest("properties.extendedProperties.diskExclusionProperties.isInclusionList is required: true to back up only the listed data disks, false to leave them out.", InvalidInput);
        var luns = disks.DiskLunList ?? throw ArmException.BadRequest(
            "properties.extendedProperties.diskExclusionProperties.diskLunList is required: the data disks' LUNs (an empty inclusion list backs up the OS disk only).", InvalidInput);
        var attached = await db.VirtualMachineDisks.Where(d => d.VirtualMachineId == vm.Id && d.Lun >= 0).Select(d => d.Lun).OrderBy(l => l).ToListAsync(ct);
        if (luns.Where(l => !attached.Contains(l)).Distinct().Order().ToList() is { Count: > 0 } unknown)
            throw ArmException.BadRequest(
                $"diskLunList names LUN {string.Join(", ", unknown)}, which is not a data disk attached to the VM '{vm.Name}' " +
                $"(its data disks are at LUN {(attached.Count == 0 ? "none" : string.Join(", ", attached))}; the OS disk is always backed up and cannot be listed).", InvalidInput);
        return new DiskExclusionUpdate(new DiskExclusion([.. luns.Distinct().Order()], inclusion).ToJson());
    }

    /// <summary>The item's setting as Azure returns it on the item (none while every disk is backed up).</summary>
    public static ProtectedItemExtendedProperties? View(string? json) =>
        DiskExclusion.Parse(json) is { } d ? new ProtectedItemExtendedProperties(new DiskExclusionProperties(d.DiskLunList, d.IsInclusionList)) : null;
}
