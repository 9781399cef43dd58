using System.Text.Json;
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
        group.MapPut(Vm + "/{vmName}", Put).Produces<VirtualMachineResource>(StatusCodes.Status201Created).WithSummary("Create an emulated VM; each disk becomes a page blob in blob storage (a managed disk resource when the VM is managed).");
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
        VmRequestCheck.RefuseUnknown(body);
        var os = body.Properties?.StorageProfile?.OsDisk ?? throw ArmException.BadRequest("The request body must carry properties.storageProfile.osDisk.");
        var osType = os.OsType switch
        {
            null => throw ArmException.BadRequest("properties.storageProfile.osDisk.osType is required: 'Windows' or 'Linux'."),
            var t when t.Equals("Windows", StringComparison.OrdinalIgnoreCase) => "Windows",
            var t when t.Equals("Linux", StringComparison.OrdinalIgnoreCase) => "Linux",
            var t => throw ArmException.BadRequest($"osType '{t}' is not valid: use 'Windows' or 'Linux'."),
        };
        var key = ResourceKeys.Of(subscriptionId, resourceGroupName, vmName);
        var existing = await db.VirtualMachines.Include(v => v.Disks).ThenInclude(d => d.ManagedDisk).Include(v => v.Extensions)
            .FirstOrDefaultAsync(v => v.Key == key, ct);
        var spec = VmSpec.FromRequest(body, existing is null ? null : VmSpec.Parse(existing.SpecJson));
        var planned = await VmDiskPlan.ReadAsync(subscriptionId, location, body, existing?.Id, db, ct);
        var nics = await VmNetwork.ResolveAsync(subscriptionId, spec, existing?.Id, db, ct);
        var tags = body.Tags is null ? null : JsonSerializer.Serialize(body.Tags);
        if (existing is not null)
        {
            if (!existing.Location.Equals(location, StringComparison.OrdinalIgnoreCase) || existing.OsType != osType || !VmDiskPlan.SameAs(planned, existing.Disks))
                throw new ArmException(409, ArmErrorCodes.OperationNotAllowed,
                    $"The emulator does not change the location, OS or disks of an existing VM; delete '{vmName}' and create it again.");
            // A PUT replaces the tags and the kept profiles, as ARM does; caching and deleteOption of a disk may change.
            existing.TagsJson = tags;
            existing.SpecJson = spec.ToJson();
            existing.VmSize = body.Properties.HardwareProfile?.VmSize ?? existing.VmSize;
            foreach (var p in planned)
            {
                var disk = existing.Disks.Single(d => d.Lun == p.Lun);
                (disk.Caching, disk.DeleteOption) = (p.Caching ?? disk.Caching, p.DeleteOption ?? disk.DeleteOption);
            }
            await VmNetwork.AttachAsync(existing, nics, db, ct);
            await SaveOrConflictAsync(db, vmName, ct);
            return TypedResults.Ok(mapper.ToResource(existing));
        }

        var vm = new VirtualMachine
        {
            VmId = Guid.NewGuid(), SubscriptionId = subscriptionId, ResourceGroup = resourceGroupName, Name = vmName, Key = key,
            Location = location, OsType = osType, VmSize = body.Properties.HardwareProfile?.VmSize, CreatedAt = time.GetUtcNow(),
            TagsJson = tags, SpecJson = spec.ToJson(),
        };
        // Blobs first, then the rows: a failure leaves no VM pointing at missing disks, and the blobs are removed.
        var blobs = new List<(string Container, string Blob)>();
        try
        {
            blobs = await VmDisks.CreateAsync(vm, planned, spec, storage, vm.CreatedAt, ct);
            await storage.FlushAsync(ct); // the disk blobs are durable before a VM row points to them
            await ImplicitResourceGroups.EnsureAsync(db, subscriptionId, resourceGroupName, location, vm.CreatedAt, ct);
            db.VirtualMachines.Add(vm);
            await VmNetwork.AttachAsync(vm, nics, db, ct);
            await SaveOrConflictAsync(db, vmName, ct);
        }
        catch
        {
            foreach (var (container, blob) in blobs) await storage.DeleteBlobIfExistsAsync(container, blob, CancellationToken.None);
            throw;
        }
        var resource = mapper.ToResource(vm);
        // 201 without Location: ARM clients read a Location on a PUT as "poll here", and a synchronous create has nothing to poll.
        return TypedResults.Json(resource, statusCode: StatusCodes.Status201Created);
    }

    /// <summary>A unique key lost to a concurrent request (the VM, a disk name, a disk or NIC attached meanwhile) answers 409, never 500.</summary>
    private static async Task SaveOrConflictAsync(BackupDbContext db, string vmName, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (DatabaseErrors.IsConflict(e))
        {
            throw new ArmException(409, "Conflict", $"A concurrent request created the VM '{vmName}', one of its disks, or attached one of its disks or NICs; retry.");
        }
    }

    private static async Task<Ok<VirtualMachineResource>> Get(string subscriptionId, string resourceGroupName, string vmName,
        BackupDbContext db, VirtualMachineMapper mapper, AgentPresence presence, CancellationToken ct,
        [Microsoft.AspNetCore.Mvc.FromQuery(Name = "$expand")] string? expand = null)
    {
        if (expand is not null && !expand.Equals("instanceView", StringComparison.OrdinalIgnoreCase))
            throw ArmException.BadRequest($"The value '{(expand.Length > 40 ? expand[..40] : expand)}' of '$expand' is not supported: the emulator expands 'instanceView' only.",
                "InvalidParameter");
        var vm = await ArmLookups.FindVmAsync(db, subscriptionId, resourceGroupName, vmName, ct);
        return TypedResults.Ok(mapper.ToResource(vm, expand is null ? null : VirtualMachineMapper.InstanceView(vm, presence.IsReady(vm))));
    }

    private static async Task<Results<Ok, NoContent>> Delete(string subscriptionId, string resourceGroupName, string vmName,
        BackupDbContext db, BlobStorage storage, CancellationToken ct)
    {
        var key = ResourceKeys.Of(subscriptionId, resourceGroupName, vmName);
        var vm = await db.VirtualMachines.Include(v => v.Disks).ThenInclude(d => d.ManagedDisk).FirstOrDefaultAsync(v => v.Key == key, ct);
        if (vm is null) return TypedResults.NoContent();
        if (await db.ProtectedItems.AnyAsync(p => p.VirtualMachineId == vm.Id, ct))
            throw new ArmException(409, ArmErrorCodes.OperationNotAllowed,
                $"The VM '{vmName}' is protected by a Recovery Services vault; the emulator keeps protected VMs. Stop protection and delete its backup data first.");
        var blobs = VmDisks.Release(vm, db);
        await VmNetwork.ReleaseAsync(vm, db, ct);
        db.VirtualMachines.Remove(vm);
        await db.SaveChangesAsync(ct);
        foreach (var (container, blob) in blobs) await storage.DeleteBlobIfExistsAsync(container, blob, ct);
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
        var page = await db.VirtualMachines.AsNoTracking().Include(v => v.Disks).ThenInclude(d => d.ManagedDisk).Include(v => v.Extensions).Where(v => v.Key.StartsWith(prefix))
            .PageAsync(http, v => v.Key, descending: false, ct);
        return TypedResults.Ok(page.ToArmList(v => mapper.ToResource(v)));
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
