using System.Text.Json.Nodes;

namespace BackupControlPlane.Api.Features.Vaults;

public sealed record VaultRequest(string? Location, VaultSku? Sku, Dictionary<string, string>? Tags, JsonObject? Properties);

public sealed record VaultSku(string? Name, string? Tier = null);

public sealed record VaultResource(
    string Id, string Name, string Type, string Location, string Etag, VaultSku Sku, Dictionary<string, string> Tags, VaultProperties Properties);

public sealed record VaultProperties(
    string ProvisioningState, string PublicNetworkAccess, string PrivateEndpointStateForBackup,
    JsonObject RedundancySettings, JsonObject SecuritySettings, string SecureScore, string BcdrSecurityLevel);
