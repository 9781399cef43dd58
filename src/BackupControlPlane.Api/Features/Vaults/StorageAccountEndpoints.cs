using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BackupControlPlane.Api.Features.Vaults;

/// <summary>
/// Storage accounts, as restore targets name them. Every account is the emulator's one blob endpoint, so an account is
/// its name and region: a PUT creates it in the region it names (stored). One never PUT still exists on first use, in
/// its resource group's region (a group PUT names it; a group made implicitly has its first resource's; for a group
/// never made, the subscription's first vault or VM, else Emulator:DefaultLocation). That answer is worked out, not
/// stored: a GET changes nothing (HTTP's safe method, and the hostile-input test's rule that an accepted GET writes
/// nothing), and it is stable, as a group's region never changes.
/// </summary>
public static partial class StorageAccountEndpoints
{
    public const string Route = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Storage/storageAccounts/{accountName}";

    public sealed record StorageAccountRequest(string? Location, StorageSku? Sku, string? Kind)
    {
        /// <summary>Every other member the client sent (tags, properties, identity…): none is kept, so each is refused by name.</summary>
        [JsonExtensionData] public Dictionary<string, System.Text.Json.JsonElement>? Other { get; init; }
    }

    public sealed record StorageSku(string? Name, string? Tier = null);

    public sealed record StorageAccountResource(string Id, string Name, string Type, string Location, string Kind, StorageSku Sku, StorageAccountProperties Properties);

    public sealed record StorageAccountProperties(string ProvisioningState, DateTimeOffset CreationTime, string PrimaryLocation,
        [property: JsonPropertyName("primaryEndpoints")] Dictionary<string, string> PrimaryEndpoints);

    public static void MapStorageAccounts(this IEndpointRouteBuilder app)
    {
        var group = app.MapArm().WithTags("Storage accounts");
        group.MapGet(Route, Get).WithSummary("A storage account; one never created exists from this first use on, in its resource group's region.");
        group.MapPut(Route, Put).Produces<StorageAccountResource>(StatusCodes.Status201Created).WithSummary("Create a storage account in a region (all accounts are the emulator's one blob endpoint).");
    }

    [GeneratedRegex("^[a-zA-Z0-9]{3,24}$")]
    private static partial Regex ValidName();

    [GeneratedRegex("^(Standard|Premium)_[A-Za-z]+$")]
    private static partial Regex ValidSku();

    private static async Task<Ok<StorageAccountResource>> Get(string subscriptionId, string resourceGroupName, string accountName,
        BackupDbContext db, BlobStorage storage, IOptions<EmulatorOptions> options, TimeProvider time, CancellationToken ct)
    {
        RequireName(accountName);
        var key = ResourceKeys.Of(subscriptionId, resourceGroupName, accountName);
        var account = await db.StorageAccounts.AsNoTracking().FirstOrDefaultAsync(a => a.Key == key, ct)
            ?? NewAccount(subscriptionId, resourceGroupName, accountName, await FirstUseLocationAsync(db, subscriptionId, resourceGroupName, options.Value, ct),
                null, null, await FirstUseTimeAsync(db, subscriptionId, resourceGroupName, time, ct));
        return TypedResults.Ok(ToResource(account, storage));
    }

    private static async Task<Results<Ok<StorageAccountResource>, JsonHttpResult<StorageAccountResource>>> Put(string subscriptionId, string resourceGroupName,
        string accountName, StorageAccountRequest? body, BackupDbContext db, BlobStorage storage, TimeProvider time, CancellationToken ct)
    {
        RequireName(accountName);
        if (body?.Location is not { Length: > 0 } location) throw ArmException.BadRequest("The request body must carry 'location'.");
        if (body.Other?.Keys.Where(k => k is not ("id" or "name" or "type")).Order().ToList() is { Count: > 0 } dropped)
            throw ArmException.BadRequest($"The emulator keeps a storage account's location, sku and kind only; it does not emulate {string.Join(", ", dropped.Select(k => $"'{k}'"))}.",
                ArmErrorCodes.InvalidRequestContent);
        if (body.Sku?.Name is { } sku && !ValidSku().IsMatch(sku))
            throw ArmException.BadRequest($"The sku '{sku}' is not a storage account sku (e.g. Standard_LRS, Standard_GRS, Premium_LRS).");
        var key = ResourceKeys.Of(subscriptionId, resourceGroupName, accountName);
        var existing = await db.StorageAccounts.FirstOrDefaultAsync(a => a.Key == key, ct);
        if (existing is not null)
        {
            if (!existing.Location.Equals(location.Replace(" ", ""), StringComparison.OrdinalIgnoreCase))
                throw new ArmException(409, "InvalidResourceLocation",
                    $"The storage account '{accountName}' already exists in '{existing.Location}'; an account cannot move to '{location}'.");
            existing.SkuName = body.Sku?.Name ?? existing.SkuName;
            existing.Kind = body.Kind ?? existing.Kind;
            await db.SaveChangesAsync(ct);
            return TypedResults.Ok(ToResource(existing, storage));
        }
        // Azure answers with the normalised region name ("East US" → "eastus").
        var region = location.Replace(" ", "").ToLowerInvariant();
        await ImplicitResourceGroups.EnsureAsync(db, subscriptionId, resourceGroupName, region, time.GetUtcNow(), ct);
        var created = await CreateAsync(db, NewAccount(subscriptionId, resourceGroupName, accountName, region, body.Sku?.Name, body.Kind, time.GetUtcNow()), ct);
        return TypedResults.Json(ToResource(created, storage), statusCode: StatusCodes.Status201Created);
    }

    private static StorageAccount NewAccount(string sub, string rg, string name, string location, string? sku, string? kind, DateTimeOffset now) => new()
    {
        SubscriptionId = sub, ResourceGroup = rg, Name = name.ToLowerInvariant(), Key = ResourceKeys.Of(sub, rg, name),
        Location = location, SkuName = sku ?? "Standard_LRS", Kind = kind ?? "StorageV2", CreatedAt = now,
    };

    /// <summary>Inserts the account; when a concurrent PUT inserted it first (the unique key decides), answers with that one.</summary>
    private static async Task<StorageAccount> CreateAsync(BackupDbContext db, StorageAccount account, CancellationToken ct)
    {
        db.StorageAccounts.Add(account);
        try
        {
            await db.SaveChangesAsync(ct);
            return account;
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            return await db.StorageAccounts.AsNoTracking().FirstOrDefaultAsync(a => a.Key == account.Key, ct) ?? throw new ArmException(409, "Conflict",
                $"The storage account '{account.Name}' could not be created; retry.");
        }
    }

    /// <summary>
    /// ARM places a resource created without a region in its resource group's: the group's own (created by a PUT, or
    /// with its first resource); for a group never made, that of what is in the subscription.
    /// </summary>
    private static async Task<string> FirstUseLocationAsync(BackupDbContext db, string sub, string rg, EmulatorOptions options, CancellationToken ct)
    {
        var groupKey = ResourceGroup.KeyOf(sub, rg);
        if (await db.ResourceGroups.AsNoTracking().Where(g => g.Key == groupKey).Select(g => g.Location).FirstOrDefaultAsync(ct) is { } region) return region;
        var group = ResourceKeys.Of(sub, rg, "");
        var subscription = sub.ToLowerInvariant() + "/";
        foreach (var prefix in new[] { group, subscription })
        {
            var vault = await db.Vaults.AsNoTracking().Where(v => v.Key.StartsWith(prefix)).OrderBy(v => v.CreatedAt).ThenBy(v => v.Id)
                .Select(v => new { v.Location, v.CreatedAt }).FirstOrDefaultAsync(ct);
            var vm = await db.VirtualMachines.AsNoTracking().Where(v => v.Key.StartsWith(prefix)).OrderBy(v => v.CreatedAt).ThenBy(v => v.Id)
                .Select(v => new { v.Location, v.CreatedAt }).FirstOrDefaultAsync(ct);
            var first = vault is null ? vm : vm is null || vault.CreatedAt <= vm.CreatedAt ? vault : vm;
            if (first is not null) return first.Location.ToLowerInvariant();
        }
        return options.DefaultLocation;
    }

    /// <summary>When an account never PUT came to be: with its resource group's first resource (a stable answer), else now.</summary>
    private static async Task<DateTimeOffset> FirstUseTimeAsync(BackupDbContext db, string sub, string rg, TimeProvider time, CancellationToken ct)
    {
        var group = ResourceKeys.Of(sub, rg, "");
        var vault = await db.Vaults.AsNoTracking().Where(v => v.Key.StartsWith(group)).MinAsync(v => (DateTimeOffset?)v.CreatedAt, ct);
        var vm = await db.VirtualMachines.AsNoTracking().Where(v => v.Key.StartsWith(group)).MinAsync(v => (DateTimeOffset?)v.CreatedAt, ct);
        return new[] { vault, vm }.Where(t => t is not null).Min() ?? time.GetUtcNow();
    }

    private static void RequireName(string name)
    {
        if (!ValidName().IsMatch(name))
            throw ArmException.BadRequest($"'{(name.Length > 40 ? name[..40] + "…" : name)}' is not a valid storage account name: 3 to 24 lowercase letters and digits.",
                "AccountNameInvalid");
    }

    private static StorageAccountResource ToResource(StorageAccount a, BlobStorage storage) => new(
        $"{ArmIds.ResourceGroup(a.SubscriptionId, a.ResourceGroup)}/providers/Microsoft.Storage/storageAccounts/{a.Name}", a.Name,
        "Microsoft.Storage/storageAccounts", a.Location, a.Kind, new StorageSku(a.SkuName, a.SkuName.Split('_')[0]),
        new StorageAccountProperties("Succeeded", a.CreatedAt, a.Location, new Dictionary<string, string> { ["blob"] = storage.Service.Uri + "/" }));
}
