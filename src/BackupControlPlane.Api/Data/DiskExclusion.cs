using System.Text.Json;

namespace BackupControlPlane.Api.Data;

/// <summary>
/// A protected item's selective disk backup setting (Azure's <c>diskExclusionProperties</c>): the data-disk LUNs listed
/// are the only ones backed up (<see cref="IsInclusionList"/>) or the ones left out. The OS disk (LUN -1) is always
/// backed up; an empty inclusion list is "OS disk only" (<c>--exclude-all-data-disks</c>). Stored as this JSON on the
/// item and copied to each snapshot task when it starts, so a backup keeps the setting it began with.
/// </summary>
public sealed record DiskExclusion(int[] DiskLunList, bool IsInclusionList)
{
    public static DiskExclusion? Parse(string? json) => json is null ? null : JsonSerializer.Deserialize<DiskExclusion>(json, JsonSerializerOptions.Web);

    public string ToJson() => JsonSerializer.Serialize(this, JsonSerializerOptions.Web);

    /// <summary>Whether the disk at <paramref name="lun"/> is backed up under this setting.</summary>
    public bool Includes(int lun) => lun < 0 || DiskLunList.Contains(lun) == IsInclusionList;

    /// <summary>The disks backed up under the stored setting (none: every disk); the setting is read once.</summary>
    public static IEnumerable<T> Included<T>(IEnumerable<T> disks, Func<T, int> lun, string? json) =>
        Parse(json) is { } exclusion ? disks.Where(d => exclusion.Includes(lun(d))) : disks;
}

/// <summary>A disk as a recovery point describes it: its LUN (-1 for the OS disk) and name.</summary>
public sealed record PointDisk(int Lun, string Name);

/// <summary>
/// Which of the VM's disks a recovery point holds, as the VM was when the backup ran (stored as JSON on the point):
/// Azure's <c>recoveryPointDiskConfiguration</c>.
/// </summary>
public sealed record PointDiskConfiguration(int NumberOfDisksAttachedToVm, IReadOnlyList<PointDisk> IncludedDiskList, IReadOnlyList<PointDisk> ExcludedDiskList)
{
    public static PointDiskConfiguration Of(IEnumerable<VirtualMachineDisk> disks, string? exclusionJson)
    {
        var all = disks.OrderBy(d => d.Lun).Select(d => new PointDisk(d.Lun, d.Name)).ToList();
        var included = DiskExclusion.Included(all, d => d.Lun, exclusionJson).ToList();
        return new PointDiskConfiguration(all.Count, included, all.Except(included).ToList());
    }

    public static PointDiskConfiguration? Parse(string? json) => json is null ? null : JsonSerializer.Deserialize<PointDiskConfiguration>(json, JsonSerializerOptions.Web);

    public string ToJson() => JsonSerializer.Serialize(this, JsonSerializerOptions.Web);
}
