namespace BackupControlPlane.Api.Infrastructure;

/// <summary>Lookup keys for ARM names, which are case-insensitive.</summary>
public static class ResourceKeys
{
    public static string Of(string subscriptionId, string resourceGroup, string name) =>
        $"{subscriptionId}/{resourceGroup}/{name}".ToLowerInvariant();
}
