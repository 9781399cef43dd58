using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Data;

/// <summary>The model of managed disks and the minimal Microsoft.Network resources (Features/Disks, Features/Network).</summary>
internal static class ComputeNetworkModel
{
    public static void Configure(ModelBuilder b)
    {
        b.Entity<ManagedDisk>(e =>
        {
            e.HasIndex(x => x.Key).IsUnique();
            // A disk in use is never deleted under its VM: the disk's routes refuse it, and the database too.
            e.HasMany(x => x.Attachments).WithOne(x => x.ManagedDisk).HasForeignKey(x => x.ManagedDiskId).OnDelete(DeleteBehavior.Restrict);
        });
        // A managed disk is attached to one VM at a time.
        b.Entity<VirtualMachineDisk>().HasIndex(x => x.ManagedDiskId).IsUnique();
        b.Entity<VirtualNetwork>(e =>
        {
            e.HasIndex(x => x.Key).IsUnique();
            e.HasMany(x => x.Subnets).WithOne(x => x.VirtualNetwork).HasForeignKey(x => x.VirtualNetworkId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<Subnet>().HasIndex(x => new { x.VirtualNetworkId, x.Name }).IsUnique();
        b.Entity<NetworkInterface>(e =>
        {
            e.HasIndex(x => x.Key).IsUnique();
            // Deleting a VM detaches its NICs, as Azure's default deleteOption does.
            e.HasOne(x => x.VirtualMachine).WithMany().HasForeignKey(x => x.VirtualMachineId).OnDelete(DeleteBehavior.SetNull);
            e.HasMany(x => x.IpConfigurations).WithOne().HasForeignKey(x => x.NetworkInterfaceId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<NicIpConfiguration>(e =>
        {
            e.HasIndex(x => new { x.SubnetId, x.PrivateIpAddress }).IsUnique();
            e.HasOne(x => x.Subnet).WithMany().HasForeignKey(x => x.SubnetId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne(x => x.PublicIpAddress).WithMany().HasForeignKey(x => x.PublicIpAddressId).OnDelete(DeleteBehavior.Restrict);
        });
        b.Entity<PublicIpAddress>(e =>
        {
            e.HasIndex(x => x.Key).IsUnique();
            e.HasIndex(x => x.IpAddress).IsUnique();
        });
    }
}
