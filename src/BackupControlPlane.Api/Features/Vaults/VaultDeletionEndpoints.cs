using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Vaults;

/// <summary>
/// <c>DELETE V</c> (Vaults_Delete). An empty vault goes at once: api-versions before 2025-02-01 (az 2.45 sends
/// 2022-10-01, whose SDK accepts only 200) answer 200, later ones 204 (their spec allows 202 or 204); the vault's GET
/// answers 404 from then on, which Terraform's delete poller waits for. A vault that holds items refuses
/// (<see cref="VaultDeletion"/>). Deleting a vault that does not exist succeeds, as ARM's DELETE is idempotent.
/// </summary>
public static class VaultDeletionEndpoints
{
    public static void MapVaultDeletion(this IEndpointRouteBuilder app) =>
        app.MapArm().WithTags("Recovery Services vaults")
            .MapDelete(ArmRoutes.Vault, Delete).InOneTransaction()
            .WithSummary("Delete an empty vault (200 before api-version 2025-02-01, 204 from it); 400 ServiceResourceNotEmpty… while it holds backup items.");

    private static async Task<IResult> Delete(string subscriptionId, string resourceGroupName, string vaultName,
        BackupDbContext db, VaultDeletion deletion, HttpContext http, CancellationToken ct)
    {
        var key = ResourceKeys.Of(subscriptionId, resourceGroupName, vaultName);
        var vault = await db.Vaults.FirstOrDefaultAsync(v => v.Key == key, ct);
        ArmPreconditions.Check(http, vault?.ETag, $"the vault '{vaultName}'");
        if (vault is not null)
        {
            if (await deletion.RefusalAsync([vault], ct) is { } refusal) throw new ArmException(400, refusal.Code, refusal.Message);
            await deletion.RemoveAsync([vault], ct);
            await db.SaveChangesAsync(ct);
        }
        var synchronous = string.CompareOrdinal(http.Request.Query["api-version"].ToString(), "2025-02-01") < 0;
        return synchronous ? TypedResults.Ok() : TypedResults.NoContent();
    }
}
