using System.Text.Json;
using System.Text.Json.Nodes;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
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
        group.MapPut(ArmRoutes.Vault, Put).Produces<VaultResource>(StatusCodes.Status201Created).InOneTransaction().Accepts<VaultResource>("application/json")
            .WithSummary("Create or update a vault; a new vault comes with DefaultPolicy. Settings not sent keep their value.");
        group.MapGet(ArmRoutes.Vault, Get);
        group.MapGet("/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.RecoveryServices/vaults", ListInGroup);
        group.MapGet("/subscriptions/{subscriptionId}/providers/Microsoft.RecoveryServices/vaults", ListInSubscription);
        app.MapVaultPatch();
        app.MapVaultDeletion();
        app.MapVaultUsage();
        app.MapVaultBackupServers();
    }

    private static async Task<Results<Ok<VaultResource>, JsonHttpResult<VaultResource>>> Put(
        string subscriptionId, string resourceGroupName, string vaultName, JsonNode? body,
        BackupDbContext db, VaultSettingsStore settings, IOptions<EmulatorOptions> options, TimeProvider time, HttpContext http, CancellationToken ct)
    {
        ArmLookups.RequireName(vaultName, "vault");
        ArmLookups.RequireName(resourceGroupName, "resource group");
        var request = VaultSettingsShape.Check(body);
        if (request["location"]?.GetValue<string>() is not { Length: > 0 } location) throw ArmException.BadRequest("The request body must carry 'location'.");
        var key = ResourceKeys.Of(subscriptionId, resourceGroupName, vaultName);
        var now = time.GetUtcNow();
        var vault = await db.Vaults.FirstOrDefaultAsync(v => v.Key == key, ct);
        ArmPreconditions.Check(http, vault?.ETag, $"the vault '{vaultName}'");
        var tags = request["tags"] is JsonObject t ? t.ToJsonString() : null;
        if (vault is not null)
        {
            if (!vault.Location.Equals(location, StringComparison.OrdinalIgnoreCase))
                throw new ArmException(409, "LocationNotAvailableForResourceType", $"The vault '{vaultName}' is in '{vault.Location}'; a vault cannot move to '{location}'.");
            Apply(vault, request, await settings.ChangeAsync(vault, s => Merge(s, request, options.Value.TenantId), ct), tags, now);
            await db.SaveChangesAsync(ct);
            ArmPreconditions.SetETag(http, vault.ETag);
            return TypedResults.Ok(ToResource(vault, settings.Read(vault), await GuardedAsync(db, vault, ct)));
        }
        var created = settings.Defaults();
        Merge(created, request, options.Value.TenantId);
        VaultRules.Check(null, created, holdsItems: false);
        vault = new Vault
        {
            SubscriptionId = subscriptionId, ResourceGroup = resourceGroupName, Name = vaultName, Key = key, Location = location,
            SkuName = "Standard", CreatedAt = now, ModifiedAt = now,
        };
        Apply(vault, request, created, tags, now);
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
        ArmPreconditions.SetETag(http, vault.ETag);
        // 201 without Location: ARM clients read a Location on a PUT as "poll here", and a synchronous create has nothing to poll.
        return TypedResults.Json(ToResource(vault, created, guarded: false), statusCode: StatusCodes.Status201Created);
    }

    /// <summary>A PUT's or PATCH's settings and identity merged into <paramref name="s"/> (shape already checked).</summary>
    public static void Merge(VaultSettings s, JsonObject request, string tenantId)
    {
        VaultSettingsMapper.Merge(s, request["properties"] as JsonObject);
        if (request["identity"] is JsonObject identity) s.Identity = VaultIdentity.Apply(s.Identity, identity, tenantId, merge: true);
    }

    /// <summary>Stores the changed settings, tags (when sent) and sku (when sent) on the vault row.</summary>
    public static void Apply(Vault vault, JsonObject request, VaultSettings settings, string? tags, DateTimeOffset now)
    {
        settings.SaveTo(vault);
        vault.TagsJson = tags ?? vault.TagsJson;
        if (request["sku"]?["name"] is { } sku) vault.SkuName = VaultSettingsMapper.Enum(sku, "Standard", "RS0")!;
        vault.ModifiedAt = now;
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

    private static async Task<Ok<VaultResource>> Get(string subscriptionId, string resourceGroupName, string vaultName, BackupDbContext db, VaultSettingsStore settings,
        HttpContext http, CancellationToken ct)
    {
        var vault = await ArmLookups.FindVaultAsync(db, subscriptionId, resourceGroupName, vaultName, ct);
        ArmPreconditions.SetETag(http, vault.ETag);
        return TypedResults.Ok(ToResource(vault, settings.Read(vault), await GuardedAsync(db, vault, ct)));
    }

    private static Task<Ok<ArmList<VaultResource>>> ListInGroup(string subscriptionId, string resourceGroupName, BackupDbContext db, VaultSettingsStore settings,
        HttpContext http, CancellationToken ct) =>
        ListByKeyPrefix(ResourceKeys.Of(subscriptionId, resourceGroupName, ""), db, settings, http, ct);

    private static Task<Ok<ArmList<VaultResource>>> ListInSubscription(string subscriptionId, BackupDbContext db, VaultSettingsStore settings,
        HttpContext http, CancellationToken ct) =>
        ListByKeyPrefix(subscriptionId.ToLowerInvariant() + "/", db, settings, http, ct);

    private static async Task<Ok<ArmList<VaultResource>>> ListByKeyPrefix(string prefix, BackupDbContext db, VaultSettingsStore settings,
        HttpContext http, CancellationToken ct)
    {
        var page = await db.Vaults.AsNoTracking().Where(v => v.Key.StartsWith(prefix)).PageAsync(http, v => v.Key, descending: false, ct);
        var ids = page.Rows.Select(v => v.Id).ToList();
        var guarded = (await db.ResourceGuardProxies.AsNoTracking().Where(p => ids.Contains(p.VaultId)).Select(p => p.VaultId).ToListAsync(ct)).ToHashSet();
        return TypedResults.Ok(page.ToArmList(v => ToResource(v, settings.Read(v), guarded.Contains(v.Id))));
    }

    /// <summary>
    /// Multi-user authorization is on while a Resource Guard mapping exists: the mapping, not a setting, is Azure's
    /// switch, so the vault reads it from the mapping table rather than keeping a copy that could disagree.
    /// </summary>
    public static Task<bool> GuardedAsync(BackupDbContext db, Vault vault, CancellationToken ct) =>
        db.ResourceGuardProxies.AnyAsync(p => p.VaultId == vault.Id, ct);

    public static VaultResource ToResource(Vault v, VaultSettings settings, bool guarded) => new(
        ArmLookups.VaultId(v), v.Name, "Microsoft.RecoveryServices/vaults", v.Location,
        ArmPreconditions.Format(v.ETag),
        new VaultSku(v.SkuName, "Standard"),
        v.TagsJson is null ? [] : JsonSerializer.Deserialize<Dictionary<string, string>>(v.TagsJson) ?? [],
        settings.Identity?.DeepClone() as JsonObject,
        VaultSettingsMapper.ToProperties(settings, guarded));
}
