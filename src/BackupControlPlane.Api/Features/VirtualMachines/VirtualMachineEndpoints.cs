using System.Text.Json;
using System.Text.RegularExpressions;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Features.Agents;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.VirtualMachines;

public static partial class VirtualMachineEndpoints
{
    private const string Vm = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Compute/virtualMachines";

    public static void MapVirtualMachines(this IEndpointRouteBuilder app)
    {
        var group = app.MapArm().WithTags("Microsoft.Compute (emulated VMs)");
        group.MapPut(Vm + "/{vmName}", Put).WithSummary("Create an emulated VM; each disk becomes a page blob (VHD) in blob storage.");
        group.MapGet(Vm + "/{vmName}", Get);
        group.MapDelete(Vm + "/{vmName}", Delete);
        group.MapGet(Vm, ListInGroup);
        group.MapGet("/subscriptions/{subscriptionId}/providers/Microsoft.Compute/virtualMachines", ListInSubscription);
        group.MapGet(Vm + "/{vmName}/instanceView", GetInstanceView);
        group.MapGet(Vm + "/{vmName}/extensions", ListExtensions);
        group.MapGet(Vm + "/{vmName}/extensions/{extensionName}", GetExtension);
    }


    private static async Task<Results<Ok<VirtualMachineResource>, JsonHttpResult<VirtualMachineResource>>> Put(
        string subscriptionId, string resourceGroupName, string vmName, VirtualMachineRequest? body,
        BackupDbContext db, BlobStorage storage, VirtualMachineMapper mapper, TimeProvider time, CancellationToken ct)
    {
        ArmLookups.RequireName(vmName, "virtual machine");
        ArmLookups.RequireName(resourceGroupName, "resource group");
        if (body?.Location is not { Length: > 0 } location) throw ArmException.BadRequest("The request body must carry 'location'.");
        var os = body.Properties?.StorageProfile?.OsDisk ?? throw ArmException.BadRequest("The request body must carry properties.storageProfile.osDisk.");
        var osType = os.OsType switch
        {
            null => throw ArmException.BadRequest("properties.storageProfile.osDisk.osType is required: 'Windows' or 'Linux'."),
            var t when t.Equals("Windows", StringComparison.OrdinalIgnoreCase) => "Windows",
            var t when t.Equals("Linux", StringComparison.OrdinalIgnoreCase) => "Linux",
            var t => throw ArmException.BadRequest($"osType '{t}' is not valid: use 'Windows' or 'Linux'."),
        };
        var dataDisks = body.Properties!.StorageProfile!.DataDisks ?? [];
        if (dataDisks.Count > 64) throw ArmException.BadRequest("A VM has at most 64 data disks.");
        if (dataDisks.Any(d => d.Lun is null or < 0 or > 63)) throw ArmException.BadRequest("Every data disk needs a 'lun' from 0 to 63.");
        if (dataDisks.Select(d => d.Lun).Distinct().Count() != dataDisks.Count) throw ArmException.BadRequest("Data disk LUNs must be unique.");
        var disks = new List<(int Lun, string Name, int Size)> { (-1, os.Name ?? $"{vmName}_OsDisk", os.DiskSizeGB ?? 30) };
        disks.AddRange(dataDisks.Select(d => (d.Lun!.Value, d.Name ?? $"{vmName}_DataDisk_{d.Lun}", d.DiskSizeGB ?? 32)));
        foreach (var d in disks)
        {
            ArmLookups.RequireName(d.Name, "disk");
            if (d.Size is < 1 or > 32767) throw ArmException.BadRequest($"Disk '{d.Name}' has diskSizeGB {d.Size}; it must be 1 to 32767.");
        }
        if (disks.Select(d => d.Name.ToLowerInvariant()).Distinct().Count() != disks.Count) throw ArmException.BadRequest("Disk names must be unique within the VM.");

        var key = ResourceKeys.Of(subscriptionId, resourceGroupName, vmName);
        var existing = await db.VirtualMachines.Include(v => v.Disks).Include(v => v.Extensions).FirstOrDefaultAsync(v => v.Key == key, ct);
        if (existing is not null)
        {
            var same = existing.Location.Equals(location, StringComparison.OrdinalIgnoreCase) && existing.OsType == osType
                && existing.Disks.Count == disks.Count
                && disks.All(d => existing.Disks.Any(e => e.Lun == d.Lun && e.Name.Equals(d.Name, StringComparison.OrdinalIgnoreCase) && e.DiskSizeGB == d.Size));
            if (!same)
                throw new ArmException(409, ArmErrorCodes.OperationNotAllowed,
                    $"The emulator does not change the location, OS or disks of an existing VM; delete '{vmName}' and create it again.");
            // A PUT replaces the tags, as ARM does.
            var tags = body.Tags is null ? null : JsonSerializer.Serialize(body.Tags);
            if (tags != existing.TagsJson)
            {
                existing.TagsJson = tags;
                await db.SaveChangesAsync(ct);
            }
            return TypedResults.Ok(mapper.ToResource(existing));
        }

        var vm = new VirtualMachine
        {
            VmId = Guid.NewGuid(), SubscriptionId = subscriptionId, ResourceGroup = resourceGroupName, Name = vmName, Key = key,
            Location = location, OsType = osType, VmSize = body.Properties.HardwareProfile?.VmSize, CreatedAt = time.GetUtcNow(),
            TagsJson = body.Tags is null ? null : JsonSerializer.Serialize(body.Tags),
        };
        // Blobs first, then the row: a failure leaves no VM pointing at missing disks, and the blobs are removed.
        try
        {
            foreach (var d in disks)
            {
                var (container, blob) = await storage.CreateDiskAsync(vm.VmId, vmName, d.Name, d.Lun, d.Size, ct);
                vm.Disks.Add(new VirtualMachineDisk { Lun = d.Lun, Name = d.Name, DiskSizeGB = d.Size, BlobContainer = container, BlobName = blob });
            }
            await storage.FlushAsync(ct); // the disk blobs are durable before a VM row points to them
            await ImplicitResourceGroups.EnsureAsync(db, subscriptionId, resourceGroupName, location, vm.CreatedAt, ct);
            db.VirtualMachines.Add(vm);
            await db.SaveChangesAsync(ct);
        }
        catch
        {
            foreach (var d in vm.Disks) await storage.DeleteBlobIfExistsAsync(d.BlobContainer, d.BlobName, CancellationToken.None);
            if (await db.VirtualMachines.AnyAsync(v => v.Key == key, CancellationToken.None))
                throw new ArmException(409, "Conflict", $"The VM '{vmName}' was created by a concurrent request.");
            throw;
        }
        var resource = mapper.ToResource(vm);
        // 201 without Location: ARM clients read a Location on a PUT as "poll here", and a synchronous create has nothing to poll.
        return TypedResults.Json(resource, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<Ok<VirtualMachineResource>> Get(string subscriptionId, string resourceGroupName, string vmName,
        BackupDbContext db, VirtualMachineMapper mapper, CancellationToken ct) =>
        TypedResults.Ok(mapper.ToResource(await ArmLookups.FindVmAsync(db, subscriptionId, resourceGroupName, vmName, ct)));

    private static async Task<Results<Ok, NoContent>> Delete(string subscriptionId, string resourceGroupName, string vmName,
        BackupDbContext db, BlobStorage storage, CancellationToken ct)
    {
        var key = ResourceKeys.Of(subscriptionId, resourceGroupName, vmName);
        var vm = await db.VirtualMachines.Include(v => v.Disks).FirstOrDefaultAsync(v => v.Key == key, ct);
        if (vm is null) return TypedResults.NoContent();
        if (await db.ProtectedItems.AnyAsync(p => p.VirtualMachineId == vm.Id, ct))
            throw new ArmException(409, ArmErrorCodes.OperationNotAllowed,
                $"The VM '{vmName}' is protected by a Recovery Services vault; the emulator keeps protected VMs. Stop protection and delete its backup data first.");
        db.VirtualMachines.Remove(vm);
        await db.SaveChangesAsync(ct);
        foreach (var d in vm.Disks) await storage.DeleteBlobIfExistsAsync(d.BlobContainer, d.BlobName, ct);
        return TypedResults.Ok();
    }

    private static Task<Ok<ArmList<VirtualMachineResource>>> ListInGroup(string subscriptionId, string resourceGroupName,
        BackupDbContext db, VirtualMachineMapper mapper, HttpContext http, CancellationToken ct) =>
        ListByKeyPrefix(ResourceKeys.Of(subscriptionId, resourceGroupName, ""), db, mapper, http, ct);

    private static Task<Ok<ArmList<VirtualMachineResource>>> ListInSubscription(string subscriptionId,
        BackupDbContext db, VirtualMachineMapper mapper, HttpContext http, CancellationToken ct) =>
        ListByKeyPrefix(subscriptionId.ToLowerInvariant() + "/", db, mapper, http, ct);

    /// <summary>One page of VMs, in key order, with the disks and extensions of that page only.</summary>
    private static async Task<Ok<ArmList<VirtualMachineResource>>> ListByKeyPrefix(string prefix, BackupDbContext db, VirtualMachineMapper mapper,
        HttpContext http, CancellationToken ct)
    {
        var page = await db.VirtualMachines.AsNoTracking().Include(v => v.Disks).Include(v => v.Extensions).Where(v => v.Key.StartsWith(prefix))
            .PageAsync(http, v => v.Key, descending: false, ct);
        return TypedResults.Ok(page.ToArmList(mapper.ToResource));
    }

    private static async Task<Ok<VirtualMachineInstanceView>> GetInstanceView(string subscriptionId, string resourceGroupName, string vmName,
        BackupDbContext db, AgentPresence presence, CancellationToken ct)
    {
        var vm = await ArmLookups.FindVmAsync(db, subscriptionId, resourceGroupName, vmName, ct);
        return TypedResults.Ok(VirtualMachineMapper.InstanceView(vm, presence.IsReady(vm)));
    }

    private static async Task<Ok<ArmList<ExtensionResource>>> ListExtensions(string subscriptionId, string resourceGroupName, string vmName,
        BackupDbContext db, CancellationToken ct, [Microsoft.AspNetCore.Mvc.FromQuery(Name = "$expand")] string? expand = null)
    {
        var vm = await ArmLookups.FindVmAsync(db, subscriptionId, resourceGroupName, vmName, ct);
        var withView = string.Equals(expand, "instanceView", StringComparison.OrdinalIgnoreCase);
        return TypedResults.Ok(new ArmList<ExtensionResource>(vm.Extensions.OrderBy(e => e.Name).Select(e => VirtualMachineMapper.ToResource(vm, e, withView)).ToList()));
    }

    private static async Task<Ok<ExtensionResource>> GetExtension(string subscriptionId, string resourceGroupName, string vmName, string extensionName,
        BackupDbContext db, CancellationToken ct, [Microsoft.AspNetCore.Mvc.FromQuery(Name = "$expand")] string? expand = null)
    {
        var vm = await ArmLookups.FindVmAsync(db, subscriptionId, resourceGroupName, vmName, ct);
        var ext = vm.Extensions.FirstOrDefault(e => e.Name.Equals(extensionName, StringComparison.OrdinalIgnoreCase))
            ?? throw ArmException.NotFound($"{ArmIds.VirtualMachine(subscriptionId, resourceGroupName, vmName)}/extensions/{extensionName}");
        return TypedResults.Ok(VirtualMachineMapper.ToResource(vm, ext, string.Equals(expand, "instanceView", StringComparison.OrdinalIgnoreCase)));
    }

}
