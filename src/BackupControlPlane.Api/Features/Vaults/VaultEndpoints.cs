using System.Text.Json;
using System.Text.Json.Nodes;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Features.VirtualMachines;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BackupControlPlane.Api.Features.Vaults;

public static class VaultEndpoints
{

    public static void MapVaults(this IEndpointRouteBuilder app)
    {
        var group = app.MapArm().WithTags("Recovery Services vaults");
        group.MapPut(ArmRoutes.Vault, Put).Produces<VaultResource>(StatusCodes.Status201Created).InOneTransaction().WithSummary("Create or update a vault; a new vault comes with DefaultPolicy.");
        group.MapGet(ArmRoutes.Vault, Get);
        group.MapGet("/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.RecoveryServices/vaults", ListInGroup);
        group.MapGet("/subscriptions/{subscriptionId}/providers/Microsoft.RecoveryServices/vaults", ListInSubscription);
        app.MapVaultUsage();
        app.MapVaultBackupServers();
    }

    private static async Task<Results<Ok<VaultResource>, JsonHttpResult<VaultResource>>> Put(
        string subscriptionId, string resourceGroupName, string vaultName, VaultRequest? body,
        BackupDbContext db, IOptions<EmulatorOptions> options, TimeProvider time, HttpContext http, CancellationToken ct)
    {
        ArmLookups.RequireName(vaultName, "vault");
        ArmLookups.RequireName(resourceGroupName, "resource group");
        if (body?.Location is not { Length: > 0 } location) throw ArmException.BadRequest("The request body must carry 'location'.");
        var key = ResourceKeys.Of(subscriptionId, resourceGroupName, vaultName);
        var now = time.GetUtcNow();
        var vault = await db.Vaults.FirstOrDefaultAsync(v => v.Key == key, ct);
        ArmPreconditions.Check(http, vault?.ETag, $"the vault '{vaultName}'");
        var tags = body.Tags is null ? null : JsonSerializer.Serialize(body.Tags);
        if (vault is not null)
        {
            if (!vault.Location.Equals(location, StringComparison.OrdinalIgnoreCase))
                throw new ArmException(409, "LocationNotAvailableForResourceType", $"The vault '{vaultName}' is in '{vault.Location}'; a vault cannot move to '{location}'.");
            vault.TagsJson = tags ?? vault.TagsJson;
            vault.ModifiedAt = now;
            await db.SaveChangesAsync(ct);
            ArmPreconditions.SetETag(http, vault.ETag);
            return TypedResults.Ok(ToResource(vault, options.Value.SoftDeleteRetentionDays));
        }
        vault = new Vault
        {
            SubscriptionId = subscriptionId, ResourceGroup = resourceGroupName, Name = vaultName, Key = key, Location = location,
            SkuName = body.Sku?.Name ?? "Standard", TagsJson = tags, CreatedAt = now, ModifiedAt = now,
        };
        vault.Policies.Add(DefaultPolicy(options.Value.DefaultPolicyRunTime, now));
        await ImplicitResourceGroups.EnsureAsync(db, subscriptionId, resourceGroupName, location, now, ct);
        db.Vaults.Add(vault);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // The unique key decides a race between two creates.
            throw new ArmException(409, "Conflict", $"The vault '{vaultName}' was created by a concurrent request.");
        }
        var resource = ToResource(vault, options.Value.SoftDeleteRetentionDays);
        ArmPreconditions.SetETag(http, vault.ETag);
        // 201 without Location: ARM clients read a Location on a PUT as "poll here", and a synchronous create has nothing to poll.
        return TypedResults.Json(resource, statusCode: StatusCodes.Status201Created);
    }

    /// <summary>Azure's DefaultPolicy: one backup a day, daily points kept 30 days, instant-restore snapshots kept 2 days.</summary>
    public static BackupPolicy DefaultPolicy(string runTime, DateTimeOffset now) => new()
    {
        Name = "DefaultPolicy",
        ScheduleRunFrequency = "Daily",
        ScheduleRunTimes = JsonSerializer.Serialize(new[] { $"{now.UtcDateTime:yyyy-MM-dd}T{runTime}:00Z" }),
        TimeZone = "UTC",
        DailyRetentionDays = 30,
        InstantRpRetentionRangeInDays = 2,
    };

    private static async Task<Ok<VaultResource>> Get(string subscriptionId, string resourceGroupName, string vaultName, BackupDbContext db, IOptions<EmulatorOptions> options,
        HttpContext http, CancellationToken ct)
    {
        var vault = await ArmLookups.FindVaultAsync(db, subscriptionId, resourceGroupName, vaultName, ct);
        ArmPreconditions.SetETag(http, vault.ETag);
        return TypedResults.Ok(ToResource(vault, options.Value.SoftDeleteRetentionDays));
    }

    private static Task<Ok<ArmList<VaultResource>>> ListInGroup(string subscriptionId, string resourceGroupName, BackupDbContext db, IOptions<EmulatorOptions> options,
        HttpContext http, CancellationToken ct) =>
        ListByKeyPrefix(ResourceKeys.Of(subscriptionId, resourceGroupName, ""), db, options, http, ct);

    private static Task<Ok<ArmList<VaultResource>>> ListInSubscription(string subscriptionId, BackupDbContext db, IOptions<EmulatorOptions> options,
        HttpContext http, CancellationToken ct) =>
        ListByKeyPrefix(subscriptionId.ToLowerInvariant() + "/", db, options, http, ct);

    private static async Task<Ok<ArmList<VaultResource>>> ListByKeyPrefix(string prefix, BackupDbContext db, IOptions<EmulatorOptions> options,
        HttpContext http, CancellationToken ct)
    {
        var page = await db.Vaults.AsNoTracking().Where(v => v.Key.StartsWith(prefix)).PageAsync(http, v => v.Key, descending: false, ct);
        return TypedResults.Ok(page.ToArmList(v => ToResource(v, options.Value.SoftDeleteRetentionDays)));
    }

    public static VaultResource ToResource(Vault v, int softDeleteDays) => new(
        ArmLookups.VaultId(v), v.Name, "Microsoft.RecoveryServices/vaults", v.Location,
        ArmPreconditions.Format(v.ETag),
        new VaultSku("RS0", "Standard"),
        v.TagsJson is null ? [] : JsonSerializer.Deserialize<Dictionary<string, string>>(v.TagsJson) ?? [],
        new VaultProperties("Succeeded", "Enabled", "None",
            new JsonObject { ["standardTierStorageRedundancy"] = "GeoRedundant", ["crossRegionRestore"] = "Disabled" },
            new JsonObject { ["softDeleteSettings"] = new JsonObject { ["softDeleteState"] = softDeleteDays > 0 ? "Enabled" : "Disabled", ["softDeleteRetentionPeriodInDays"] = softDeleteDays } },
            "None", "Poor"));
}
