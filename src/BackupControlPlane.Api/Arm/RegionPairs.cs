using BackupControlPlane.Api.Data;

namespace BackupControlPlane.Api.Arm;

/// <summary>
/// Azure's region pairs, as cross-region restore uses them: a geo-redundant vault's recovery points are replicated to
/// its region's pair (the secondary region). The table is the az CLI's (custom.py <c>secondary_region_map</c>), which
/// follows Azure's published pairs; it covers every region the emulator lists (eastus↔westus, westeurope↔northeurope,
/// southeastasia↔eastasia). A region missing here has no secondary region, so cross-region restore is refused for it.
/// </summary>
public static class RegionPairs
{
    /// <summary>The api-version of Azure's cross-region restore ("passive stamp") client: the secondary region's reads.</summary>
    public const string PassiveStampApiVersion = "2021-11-15";

    private static readonly Dictionary<string, string> Secondary = new(StringComparer.OrdinalIgnoreCase)
    {
        ["eastasia"] = "southeastasia", ["southeastasia"] = "eastasia",
        ["australiaeast"] = "australiasoutheast", ["australiasoutheast"] = "australiaeast",
        ["australiacentral"] = "australiacentral2", ["australiacentral2"] = "australiacentral",
        ["brazilsouth"] = "southcentralus",
        ["canadacentral"] = "canadaeast", ["canadaeast"] = "canadacentral",
        ["northeurope"] = "westeurope", ["westeurope"] = "northeurope",
        ["francecentral"] = "francesouth", ["francesouth"] = "francecentral",
        ["germanywestcentral"] = "germanynorth", ["germanynorth"] = "germanywestcentral",
        ["centralindia"] = "southindia", ["southindia"] = "centralindia", ["westindia"] = "southindia",
        ["japaneast"] = "japanwest", ["japanwest"] = "japaneast",
        ["koreacentral"] = "koreasouth", ["koreasouth"] = "koreacentral",
        ["eastus"] = "westus", ["westus"] = "eastus",
        ["eastus2"] = "centralus", ["centralus"] = "eastus2",
        ["northcentralus"] = "southcentralus", ["southcentralus"] = "northcentralus",
        ["westus2"] = "westcentralus", ["westcentralus"] = "westus2",
        ["westus3"] = "eastus",
        ["uksouth"] = "ukwest", ["ukwest"] = "uksouth",
        ["southafricanorth"] = "southafricawest", ["southafricawest"] = "southafricanorth",
        ["uaenorth"] = "uaecentral", ["uaecentral"] = "uaenorth",
        ["switzerlandnorth"] = "switzerlandwest", ["switzerlandwest"] = "switzerlandnorth",
        ["norwayeast"] = "norwaywest", ["norwaywest"] = "norwayeast",
        ["swedencentral"] = "swedensouth", ["swedensouth"] = "swedencentral",
    };

    /// <summary>The paired secondary region of <paramref name="region"/> (ARM's normalised name), or null when it has none.</summary>
    public static string? SecondaryOf(string region) => Secondary.GetValueOrDefault(region.Replace(" ", ""));

    /// <summary>Whether the request is the passive-stamp client's (api-version 2021-11-15): a read of the secondary region.</summary>
    public static bool IsSecondaryRegionRead(HttpContext http) =>
        string.Equals(http.Request.Query["api-version"], PassiveStampApiVersion, StringComparison.OrdinalIgnoreCase);
}

/// <summary>The checks every secondary-region (cross-region restore) route makes on the vault, with the emulator's codes.</summary>
public static class SecondaryRegion
{
    /// <summary>
    /// Azure documents no service code for these refusals (its CLI checks them client-side); the emulator answers its
    /// generic invalid-input code with a message naming the setting to change.
    /// </summary>
    public const string NotAvailableCode = "BMSUserErrorInvalidInput";

    /// <summary>The vault's paired secondary region, or 400 when the vault has none: not GeoRedundant, cross-region restore off, or a region without a pair.</summary>
    public static string Of(Vault vault)
    {
        var settings = VaultSettings.Of(vault, 14);
        if (settings.StandardTierStorageRedundancy != "GeoRedundant")
            throw ArmException.BadRequest($"Vault '{vault.Name}' is {settings.StandardTierStorageRedundancy}: only a GeoRedundant vault with cross-region restore " +
                "enabled has a secondary region.", NotAvailableCode);
        if (!CrossRegionReplication.Enabled(settings))
            throw ArmException.BadRequest($"Cross-region restore is not enabled on vault '{vault.Name}': enable it (PATCH backupstorageconfig/vaultstorageconfig " +
                "{\"properties\":{\"crossRegionRestoreFlag\":true}}, or az backup vault backup-properties set --cross-region-restore-flag true) " +
                "and wait for the recovery points to replicate.", NotAvailableCode);
        return RegionPairs.SecondaryOf(vault.Location)
            ?? throw ArmException.BadRequest($"Region '{vault.Location}' of vault '{vault.Name}' has no paired region: cross-region restore is not available there.", NotAvailableCode);
    }
}
