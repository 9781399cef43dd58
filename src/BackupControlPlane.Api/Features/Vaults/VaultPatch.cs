using System.Text.Json.Nodes;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace BackupControlPlane.Api.Features.Vaults;

/// <summary>
/// <c>PATCH V</c> (Vaults_Update): merges what is sent (tags, sku, identity, and properties member by member: a PATCH of
/// <c>securitySettings.immutabilitySettings</c> alone keeps soft delete as it was) and answers 200 with the whole vault.
/// An empty <c>{"properties":{}}</c>, as Terraform sends with no change, changes nothing.
/// </summary>
public static class VaultPatch
{
    public static void MapVaultPatch(this IEndpointRouteBuilder app) =>
        app.MapArm().WithTags("Recovery Services vaults")
            .MapPatch(ArmRoutes.Vault, Patch).InOneTransaction().Accepts<VaultResource>("application/json")
            .WithSummary("Update a vault: tags, sku, identity and settings merge into what is kept (200 with the vault).");

    private static async Task<Ok<VaultResource>> Patch(string subscriptionId, string resourceGroupName, string vaultName, JsonNode? body,
        BackupDbContext db, VaultSettingsStore settings, IOptions<EmulatorOptions> options, TimeProvider time, HttpContext http, CancellationToken ct)
    {
        var request = VaultSettingsShape.Check(body);
        var vault = await ArmLookups.FindVaultAsync(db, subscriptionId, resourceGroupName, vaultName, ct);
        ArmPreconditions.Check(http, vault.ETag, $"the vault '{vaultName}'");
        if (request["location"]?.GetValue<string>() is { Length: > 0 } location && !vault.Location.Equals(location, StringComparison.OrdinalIgnoreCase))
            throw new ArmException(409, "LocationNotAvailableForResourceType", $"The vault '{vaultName}' is in '{vault.Location}'; a vault cannot move to '{location}'.");
        var changed = await settings.ChangeAsync(vault, s => VaultEndpoints.Merge(s, request, options.Value.TenantId), ct);
        VaultEndpoints.Apply(vault, request, changed, request["tags"] is JsonObject tags ? tags.ToJsonString() : null, time.GetUtcNow());
        await db.SaveChangesAsync(ct);
        ArmPreconditions.SetETag(http, vault.ETag);
        return TypedResults.Ok(VaultEndpoints.ToResource(vault, changed, await VaultEndpoints.GuardedAsync(db, vault, ct)));
    }
}
