using System.Text.Json.Nodes;

namespace BackupControlPlane.Api.Features.Vaults;

public sealed record VaultSku(string? Name, string? Tier = null);

public sealed record VaultResource(
    string Id, string Name, string Type, string Location, string Etag, VaultSku Sku, Dictionary<string, string> Tags, JsonObject? Identity,
    VaultProperties Properties);

public sealed record VaultProperties(
    string ProvisioningState, string PublicNetworkAccess, string PrivateEndpointStateForBackup, string PrivateEndpointStateForSiteRecovery,
    JsonObject RedundancySettings, JsonObject SecuritySettings, JsonObject MonitoringSettings, JsonObject RestoreSettings, JsonObject? Encryption,
    string SecureScore, string BcdrSecurityLevel, string BackupStorageVersion);
