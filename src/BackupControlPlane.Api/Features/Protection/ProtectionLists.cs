using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Features.Jobs;
using BackupControlPlane.Api.Features.Vaults;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BackupControlPlane.Api.Features.Protection;

/// <summary>
/// The vault's lists of items, containers and protectable VMs: filtered and paged in the database, one page of rows
/// read per request (<see cref="ArmPaging"/>).
/// </summary>
public static class ProtectionLists
{
    private const string V = ArmRoutes.Vault;
    private const string ContainerPrefix = "IaasVMContainer;";

    public static void MapProtectionLists(this IEndpointRouteBuilder app)
    {
        var arm = app.MapArm().WithTags("Protected items");
        arm.MapGet(V + "/backupProtectedItems", List);
        arm.MapGet(V + "/backupProtectableItems", ListProtectable);
        arm.MapGet(V + "/backupProtectionContainers", ListContainers);
    }

    private static async Task<Ok<ArmList<ProtectedItemResource>>> List(string subscriptionId, string resourceGroupName, string vaultName,
        BackupDbContext db, TimeProvider time, IOptions<EmulatorOptions> options, HttpContext http, CancellationToken ct,
        [FromQuery(Name = "$filter")] string? filter = null)
    {
        var vault = await ArmLookups.FindVaultForReadAsync(db, subscriptionId, resourceGroupName, vaultName, ct);
        var items = Items(db, vault.Id);
        if (RegionPairs.IsSecondaryRegionRead(http))
        {
            // The cross-region restore client's list: the items with a recovery point replicated to the secondary region.
            SecondaryRegion.Of(vault);
            var replicated = CrossRegionReplication.Replicated(db, db.RecoveryPoints, time.GetUtcNow(), options.Value.CrossRegionReplicationDelay);
            items = items.Where(i => replicated.Any(r => r.ProtectedItemId == i.Id));
        }
        foreach (var (key, value) in ODataFilter.Parse(filter))
        {
            var wanted = value.ToLowerInvariant();
            var container = wanted.StartsWith(ContainerPrefix, StringComparison.OrdinalIgnoreCase) ? wanted[ContainerPrefix.Length..] : wanted;
            items = key.ToLowerInvariant() switch
            {
                "backupmanagementtype" => wanted == "azureiaasvm" ? items : items.Where(_ => false),
                "itemtype" or "workloadtype" => wanted == "vm" ? items : items.Where(_ => false),
                "policyname" => items.Where(i => i.Policy != null && i.Policy.Name.ToLower() == wanted),
                "friendlyname" => items.Where(i => i.VirtualMachine!.Name.ToLower() == wanted),
                // The container's name ("iaasvmcontainerv2;rg;vm", stored lowercased) or its resource name ("IaasVMContainer;…").
                "containername" => items.Where(i => i.ContainerName == container),
                _ => throw ArmException.BadRequest($"Unsupported $filter key '{key}' on backupProtectedItems: use backupManagementType, itemType, policyName, friendlyName or containerName."),
            };
        }
        var page = await items.PageAsync(http, i => i.ContainerName, descending: false, ct);
        var ids = page.Rows.Select(i => i.Id).ToList();
        var counts = await RecoveryPointCounts(db, ids, ct);
        var latest = await ItemHealth.LatestSettledAsync(db, ids, ct);
        var now = time.GetUtcNow();
        return TypedResults.Ok(page.ToArmList(i => ProtectedItemMapper.ToResource(vault, i, counts.GetValueOrDefault(i.Id), latest.GetValueOrDefault(i.Id), now)));
    }

    /// <summary>The VMs of the vault's subscription and region that no vault protects yet, as the CLI's discovery expects.</summary>
    private static async Task<Ok<ArmList<ProtectableItemResource>>> ListProtectable(string subscriptionId, string resourceGroupName, string vaultName,
        BackupDbContext db, HttpContext http, CancellationToken ct, [FromQuery(Name = "$filter")] string? filter = null)
    {
        var vault = await ArmLookups.FindVaultForReadAsync(db, subscriptionId, resourceGroupName, vaultName, ct);
        // The CLI writes "backupManagementType eq 'AzureWorkload' and workloadType eq 'SQLDataBase'" for --workload-type MSSQL:
        // only IaaS VMs are protectable here, so any other type lists nothing.
        var matches = true;
        string? name = null, container = null;
        foreach (var (key, value) in ODataFilter.Parse(filter))
            switch (key.ToLowerInvariant())
            {
                case "backupmanagementtype": matches &= value.Equals("AzureIaasVM", StringComparison.OrdinalIgnoreCase); break;
                case "workloadtype": matches &= value.Equals("VM", StringComparison.OrdinalIgnoreCase); break;
                case "status": matches &= value.Equals("NotProtected", StringComparison.OrdinalIgnoreCase); break;
                case "friendlyname": name = value.ToLowerInvariant(); break;
                // "iaasvmcontainerv2;rg;vm", or with its "IaasVMContainer;" prefix; any other name matches no VM.
                case "containername": container = ArmIds.ParseContainerName(value, "IaasVMContainer") ?? ArmIds.ParseContainerName("IaasVMContainer;" + value, "IaasVMContainer") ?? ""; break;
                default: throw ArmException.BadRequest($"Unsupported $filter key '{key}' on backupProtectableItems: use backupManagementType, workloadType, status, friendlyName or containerName.");
            }
        var prefix = vault.SubscriptionId.ToLowerInvariant() + "/";
        var location = vault.Location.ToLowerInvariant();
        var vms = db.VirtualMachines.AsNoTracking()
            .Where(v => matches && v.Key.StartsWith(prefix) && v.Location.ToLower() == location && !db.ProtectedItems.Any(p => p.VirtualMachineId == v.Id));
        if (name is not null) vms = vms.Where(v => v.Name.ToLower() == name);
        if (container is not null) vms = vms.Where(v => ("iaasvmcontainerv2;" + v.ResourceGroup + ";" + v.Name).ToLower() == container);
        var page = await vms.PageAsync(http, v => v.Key, descending: false, ct);
        var vaultId = ArmLookups.VaultId(vault);
        return TypedResults.Ok(page.ToArmList(v =>
        {
            var c = ArmIds.ContainerName(v.ResourceGroup, v.Name);
            return new ProtectableItemResource(ArmIds.ProtectableItem(vaultId, c), c,
                "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectableItems",
                new ProtectableItemProperties("AzureIaasVM", "Microsoft.Compute/virtualMachines", "VM", v.Name,
                    ArmIds.VirtualMachine(v.SubscriptionId, v.ResourceGroup, v.Name), "Compute", v.ResourceGroup, "NotProtected"));
        }));
    }

    private static async Task<Ok<ArmList<ProtectionContainerResource>>> ListContainers(string subscriptionId, string resourceGroupName, string vaultName,
        BackupDbContext db, HttpContext http, CancellationToken ct, [FromQuery(Name = "$filter")] string? filter = null)
    {
        var vault = await ArmLookups.FindVaultForReadAsync(db, subscriptionId, resourceGroupName, vaultName, ct);
        var items = Items(db, vault.Id);
        // The CLI adds backupManagementType and status eq 'Registered'; every container here is a registered IaaS VM's.
        foreach (var (key, value) in ODataFilter.Parse(filter))
        {
            var wanted = value.ToLowerInvariant();
            items = key.ToLowerInvariant() switch
            {
                "friendlyname" => items.Where(i => i.VirtualMachine!.Name.ToLower() == wanted),
                "backupmanagementtype" => wanted == "azureiaasvm" ? items : items.Where(_ => false),
                "status" => wanted == "registered" ? items : items.Where(_ => false),
                "containertype" => wanted == "iaasvmcontainer" ? items : items.Where(_ => false),
                "fabricname" => wanted == "azure" ? items : items.Where(_ => false),
                "backupenginename" => items.Where(_ => false), // no backup engines (DPM / Azure Backup Server) here
                _ => throw ArmException.BadRequest($"Unsupported $filter key '{key}' on backupProtectionContainers: use backupManagementType, containerType, fabricName, backupEngineName, friendlyName or status."),
            };
        }
        var page = await items.PageAsync(http, i => i.ContainerName, descending: false, ct);
        var vaultId = ArmLookups.VaultId(vault);
        return TypedResults.Ok(page.ToArmList(i => ProtectedItemMapper.ToContainer(vaultId, i)));
    }

    private static IQueryable<ProtectedItem> Items(BackupDbContext db, long vaultId) =>
        db.ProtectedItems.AsNoTracking().Include(i => i.VirtualMachine).Include(i => i.Policy).Where(i => i.VaultId == vaultId);

    private static async Task<Dictionary<long, (int Count, DateTimeOffset? Oldest)>> RecoveryPointCounts(BackupDbContext db, List<long> itemIds, CancellationToken ct) =>
        (await db.RecoveryPoints.Where(r => itemIds.Contains(r.ProtectedItemId)).GroupBy(r => r.ProtectedItemId)
            .Select(g => new { g.Key, Count = g.Count(), Oldest = g.Min(r => r.RecoveryPointTime) }).ToListAsync(ct))
        .ToDictionary(x => x.Key, x => (x.Count, (DateTimeOffset?)x.Oldest));
}
