using System.Text.Json.Nodes;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Restore;

/// <summary>
/// Restore as a new VM (<c>recoveryType: AlternateLocation</c>): the point's disks become managed disks in the target
/// group, and a new VM named by <c>targetVirtualMachineId</c> gets them attached, with a NIC in <c>subnetId</c> (the
/// subnet's lowest free address), the source VM's size, OS type, zones and security type as the point recorded them.
/// Extensions, identity and the OS profile are not copied, as in Azure.
/// </summary>
public sealed class AlternateLocationRestore(BackupDbContext db, INetworkInterfaceFactory nics, TimeProvider time)
{
    private const string VmType = "Microsoft.Compute/virtualMachines";

    public static async Task<RestoreEndpoints.RestoreTarget> CheckAsync(IaasVmRestoreRequestProperties p, RestoreEndpoints.RestoreTarget basic,
        (string Sub, string Rg)? target, ProtectedItem item, RecoveryPoint point, PointVmState state, BackupDbContext db, CancellationToken ct)
    {
        RestoreEndpoints.RequireWholeVm(point, RestoreModes.AlternateLocation);
        if (!state.IsManaged)
            throw ArmException.BadRequest($"Recovery point {point.Name} is of a VM with unmanaged disks: the emulator creates new VMs from managed VMs' points only. " +
                "Restore its disks (recoveryType 'RestoreDisks') and create the VM from the template the Restore job leaves.", RestoreEndpoints.NotSupported);
        if (target is not { } group) throw ArmException.BadRequest("properties.targetResourceGroupId is required with recoveryType 'AlternateLocation': the group of the new VM.");
        var vmId = ArmResourceIds.Parse(p.TargetVirtualMachineId, VmType)
            ?? throw ArmException.BadRequest($"properties.targetVirtualMachineId '{p.TargetVirtualMachineId}' is not a VM id " +
                "(/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Compute/virtualMachines/{vm}); it names the new VM.");
        if (!vmId.SubscriptionId.Equals(group.Sub, StringComparison.OrdinalIgnoreCase) || !vmId.ResourceGroup.Equals(group.Rg, StringComparison.OrdinalIgnoreCase))
            throw ArmException.BadRequest($"properties.targetVirtualMachineId '{p.TargetVirtualMachineId}' is not in targetResourceGroupId '{p.TargetResourceGroupId}'.");
        var source = item.VirtualMachine!;
        if (!group.Sub.Equals(source.SubscriptionId, StringComparison.OrdinalIgnoreCase) && !point.HardenedRpValid)
            throw RestoreRefusals.CrossSubscriptionFromSnapshot();
        ArmLookups.RequireName(vmId.Name, "virtual machine");
        if (await db.VirtualMachines.AnyAsync(v => v.Key == ResourceKeys.Of(vmId.SubscriptionId, vmId.ResourceGroup, vmId.Name), ct))
            throw ArmException.BadRequest($"A VM named '{vmId.Name}' already exists in resource group '{vmId.ResourceGroup}': restore as a new VM needs a name not in use.",
                RestoreEndpoints.InvalidInput);

        var vnetId = ArmResourceIds.Parse(p.VirtualNetworkId, ArmResourceIds.VirtualNetworksType)
            ?? throw ArmException.BadRequest($"properties.virtualNetworkId '{p.VirtualNetworkId}' is not a virtual network id: the new VM's network is required.");
        var subnetId = ArmResourceIds.Parse(p.SubnetId, ArmResourceIds.VirtualNetworksType, "subnets")
            ?? throw ArmException.BadRequest($"properties.subnetId '{p.SubnetId}' is not a subnet id (…/virtualNetworks/{{vnet}}/subnets/{{subnet}}).");
        if (!subnetId.SubscriptionId.Equals(vnetId.SubscriptionId, StringComparison.OrdinalIgnoreCase) || !subnetId.ResourceGroup.Equals(vnetId.ResourceGroup, StringComparison.OrdinalIgnoreCase)
            || !subnetId.Name.Equals(vnetId.Name, StringComparison.OrdinalIgnoreCase))
            throw ArmException.BadRequest($"properties.subnetId '{p.SubnetId}' is not a subnet of virtualNetworkId '{p.VirtualNetworkId}'.", RestoreEndpoints.InvalidInput);
        if (!vnetId.SubscriptionId.Equals(group.Sub, StringComparison.OrdinalIgnoreCase))
            throw ArmException.BadRequest($"The virtual network must be in the subscription of the new VM ({group.Sub}).", RestoreEndpoints.InvalidInput);
        var vnet = await db.VirtualNetworks.AsNoTracking().Include(v => v.Subnets)
            .FirstOrDefaultAsync(v => v.Key == ResourceKeys.Of(vnetId.SubscriptionId, vnetId.ResourceGroup, vnetId.Name), ct)
            ?? throw ArmException.BadRequest($"The selected virtual network doesn't exist: virtual network '{vnetId.Name}' is not in resource group '{vnetId.ResourceGroup}'.",
                RestoreEndpoints.InvalidInput);
        var subnet = vnet.Subnets.FirstOrDefault(s => s.Name.Equals(subnetId.Child, StringComparison.OrdinalIgnoreCase))
            ?? throw ArmException.BadRequest($"The selected subnet doesn't exist: Select a subnet that exists. Virtual network '{vnet.Name}' has no subnet '{subnetId.Child}'.",
                RestoreEndpoints.InvalidInput);
        if (!ImplicitResourceGroups.Region(vnet.Location).Equals(ImplicitResourceGroups.Region(state.Location), StringComparison.Ordinal))
            throw ArmException.BadRequest($"The specified virtual network configuration isn't correct: virtual network '{vnet.Name}' is in {vnet.Location}, " +
                $"but the new VM must be in the source VM's region ({state.Location}).", RestoreEndpoints.InvalidInput);
        var zone = ManagedDiskRestore.Zone(p.Zones);
        return basic with
        {
            Managed = new(group.Sub, group.Rg, state.Location, zone, vmId.Name), NewVm = new(vmId.Name, subnet.Id),
        };
    }

    /// <summary>
    /// Adds the new VM (with its NIC, the restored disks attached) to the context, saved by the caller with the job's
    /// completion. A VM of that name made meanwhile, or a subnet deleted meanwhile, fails the job.
    /// </summary>
    public async Task AddVmAsync(NewVmPlan plan, ManagedDiskPlan disks, IReadOnlyList<RestoreArtifacts.RestoredDisk> restored, PointVmState state, CancellationToken ct)
    {
        var key = ResourceKeys.Of(disks.SubscriptionId, disks.ResourceGroup, plan.Name);
        if (await db.VirtualMachines.AnyAsync(v => v.Key == key, ct))
            throw new InvalidOperationException($"a VM named '{plan.Name}' was created in resource group '{disks.ResourceGroup}' after the restore was requested");
        var subnet = await db.Subnets.FirstOrDefaultAsync(s => s.Id == plan.SubnetId, ct)
            ?? throw new InvalidOperationException("the target subnet was deleted after the restore was requested");
        var nic = await nics.AddAsync(disks.SubscriptionId, disks.ResourceGroup, plan.NicName, disks.Location, subnet, ct);
        var properties = new JsonObject
        {
            ["networkProfile"] = new JsonObject
            {
                ["networkInterfaces"] = new JsonArray(new JsonObject
                {
                    ["id"] = ArmResourceIds.NetworkInterface(disks.SubscriptionId, disks.ResourceGroup, plan.NicName), ["properties"] = new JsonObject { ["primary"] = true },
                }),
            },
        };
        if (state.SecurityType != "None") properties["securityProfile"] = new JsonObject { ["securityType"] = state.SecurityType };
        var spec = new JsonObject { ["properties"] = properties };
        var zones = disks.Zone is { } z ? [z] : state.Zones;
        if (zones is not null) spec["zones"] = new JsonArray([.. zones.Select(v => (JsonNode)v)]);
        var vm = new VirtualMachine
        {
            VmId = plan.VmId, SubscriptionId = disks.SubscriptionId, ResourceGroup = disks.ResourceGroup, Name = plan.Name, Key = key, Location = disks.Location,
            OsType = state.OsType, VmSize = state.VmSize, CreatedAt = time.GetUtcNow(), SpecJson = spec.ToJsonString(),
            Disks = [.. restored.Select(d => new VirtualMachineDisk
            {
                Lun = d.Lun, Name = d.Name, DiskSizeGB = d.Managed!.DiskSizeGB, BlobContainer = d.Managed.BlobContainer, BlobName = d.Managed.BlobName,
                ManagedDisk = d.Managed, CreateOption = "Attach", DeleteOption = "Detach",
            })],
        };
        nic.VirtualMachine = vm;
        db.VirtualMachines.Add(vm);
    }
}
