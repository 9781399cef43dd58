using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using Microsoft.AspNetCore.DataProtection;

namespace BackupControlPlane.Api.Features.Restore;

/// <summary>
/// The access token of a cross-region restore: issued for one recovery point (POST RP/accessToken) and redeemed by
/// backupCrossRegionRestore, which trusts nothing else in the request about the source. The token string is the
/// point's identity and an expiry, sealed with ASP.NET Core data protection, so a client can neither read nor forge it.
/// Azure does not document the lifetime; the emulator's is <see cref="Lifetime"/> on the emulated clock.
/// </summary>
public sealed class CrossRegionAccessTokens(IDataProtectionProvider protection, TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    /// <summary>What a token names: the vault, the item's container and the point.</summary>
    public sealed record Grant(long VaultId, string ContainerName, string RecoveryPointName, DateTimeOffset Expires);

    private IDataProtector Protector => protection.CreateProtector("BackupControlPlane.CrossRegionRestore.AccessToken");

    public CrrAccessToken Issue(Vault vault, ProtectedItem item, RecoveryPoint point, string itemId)
    {
        var vm = item.VirtualMachine!;
        var grant = new Grant(vault.Id, item.ContainerName, point.Name, time.GetUtcNow() + Lifetime);
        var token = Protector.Protect(JsonSerializer.Serialize(grant));
        var geo = Geo(vault.Location);
        var tiers = new Dictionary<string, string>();
        if (point.HardenedRpValid) tiers["HardenedRP"] = "Valid";
        var metadata = $"<IaaSVMRecoveryPointMetadataBase><OsType>{vm.OsType}</OsType><VMSizeDescription>{vm.VmSize}</VMSizeDescription>" +
            $"<RecoveryPointConsistencyType>{point.RecoveryPointType}</RecoveryPointConsistencyType></IaaSVMRecoveryPointMetadataBase>";
        return new CrrAccessToken("CrrAccessToken", token, vault.SubscriptionId, vault.ResourceGroup, vault.Name, ArmLookups.VaultId(vault),
            item.Id, point.Name, point.RecoveryPointTime.UtcDateTime.ToString("M/d/yyyy h:mm:ss tt", CultureInfo.InvariantCulture),
            item.ContainerName, "IaasVMContainer", "AzureIaasVM", "VM", vm.Name,
            ArmIds.VirtualMachine(vm.SubscriptionId, vm.ResourceGroup, vm.Name), ArmIds.ContainerResourceName(item.ContainerName),
            StampId(vault.Location, "coord"), $"https://pod01-coord1.{geo}.backup.windowsazure.com",
            StampId(vault.Location, "prot"), $"https://pod01-prot1.{geo}.backup.windowsazure.com",
            metadata, tiers, false, false, vm.VmSize, vault.Location);
    }

    /// <summary>The grant a token string carries, or 400 when it is not one of this emulator's or has expired.</summary>
    public Grant Redeem(string? accessToken)
    {
        if (string.IsNullOrEmpty(accessToken))
            throw ArmException.BadRequest("crossRegionRestoreAccessDetails.accessTokenString is required: POST the recovery point's accessToken first.",
                SecondaryRegion.NotAvailableCode);
        Grant? grant;
        try
        {
            grant = JsonSerializer.Deserialize<Grant>(Protector.Unprotect(accessToken));
        }
        catch (Exception e) when (e is CryptographicException or JsonException or FormatException)
        {
            grant = null;
        }
        if (grant is null)
            throw ArmException.BadRequest("crossRegionRestoreAccessDetails.accessTokenString is not an access token this service issued: " +
                "POST the recovery point's accessToken and send its answer.", SecondaryRegion.NotAvailableCode);
        if (grant.Expires <= time.GetUtcNow())
            throw ArmException.BadRequest($"The cross-region restore access token expired at {grant.Expires:u}: POST the recovery point's accessToken again.",
                SecondaryRegion.NotAvailableCode);
        return grant;
    }

    /// <summary>Azure's short geo code of a region ("eastus" → "eus"), as in its service URIs and audiences.</summary>
    public static string Geo(string region) => region.ToLowerInvariant() switch
    {
        "eastus" => "eus", "westus" => "wus", "westeurope" => "we", "northeurope" => "ne", "southeastasia" => "sea", "eastasia" => "ea",
        var r => r.Length <= 4 ? r : r[..4],
    };

    /// <summary>A stable GUID for a region's emulated service stamp or principal.</summary>
    public static string StampId(string region, string role) =>
        new Guid(SHA256.HashData(Encoding.UTF8.GetBytes($"{role}:{region.ToLowerInvariant()}"))[..16]).ToString();
}
