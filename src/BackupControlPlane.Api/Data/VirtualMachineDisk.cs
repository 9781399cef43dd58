namespace BackupControlPlane.Api.Data;

/// <summary>A disk of a VM: a page blob in blob storage, unmanaged (the VM's VHD) or a managed disk's blob.</summary>
public sealed class VirtualMachineDisk
{
    public long Id { get; set; }
    public long VirtualMachineId { get; set; }
    /// <summary>-1 for the OS disk.</summary>
    public int Lun { get; set; }
    public required string Name { get; set; }
    public int DiskSizeGB { get; set; }
    public required string BlobContainer { get; set; }
    public required string BlobName { get; set; }
    /// <summary>The managed disk (<c>Microsoft.Compute/disks</c>) this is, sharing its blob; null for an unmanaged (VHD) disk.</summary>
    public long? ManagedDiskId { get; set; }
    public ManagedDisk? ManagedDisk { get; set; }
    public string? Caching { get; set; }
    /// <summary>As the VM was PUT: FromImage, Empty or Attach (null: the emulator's default, FromImage for the OS disk, Empty for data disks).</summary>
    public string? CreateOption { get; set; }
    /// <summary>Detach (Azure's default) or Delete: what deleting the VM does to a managed disk.</summary>
    public string? DeleteOption { get; set; }
}
