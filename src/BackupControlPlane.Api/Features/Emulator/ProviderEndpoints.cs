using BackupControlPlane.Api.Arm;

namespace BackupControlPlane.Api.Features.Emulator;

/// <summary>
/// Resource provider metadata. Azure SDK generic-resource calls read it first and take the first apiVersions entry
/// of the matching, fully nested resource type: the version each type is served best on, followed by every version
/// strict mode accepts for the provider (<see cref="KnownApiVersions"/>), newest first.
/// </summary>
public static class ProviderEndpoints
{
    public sealed record ProviderResourceType(string ResourceType, IReadOnlyList<string> Locations, IReadOnlyList<string> ApiVersions);

    public sealed record Provider(string Id, string Namespace, string RegistrationState, string RegistrationPolicy, IReadOnlyList<ProviderResourceType> ResourceTypes);

    private static readonly string[] Locations = ["East US", "West US", "West Europe", "North Europe", "Southeast Asia"];

    private static readonly Dictionary<string, (string Version, string[] Types)> Providers = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Microsoft.Compute"] = ("2023-07-01", ["virtualMachines", "virtualMachines/extensions", "virtualMachines/instanceView", "disks"]),
        ["Microsoft.Network"] = ("2022-07-01", ["virtualNetworks", "virtualNetworks/subnets", "networkInterfaces", "publicIPAddresses"]),
        ["Microsoft.RecoveryServices"] = ("2025-02-01",
        [
            "vaults", "vaults/backupPolicies", "vaults/backupJobs", "vaults/backupOperations", "vaults/backupOperationResults",
            "vaults/backupProtectedItems", "vaults/backupProtectableItems", "vaults/backupProtectionContainers", "vaults/backupFabrics",
            "vaults/backupFabrics/protectionContainers", "vaults/backupFabrics/protectionContainers/protectedItems",
            "vaults/backupFabrics/protectionContainers/protectedItems/recoveryPoints",
        ]),
    };

    public static void MapProviders(this IEndpointRouteBuilder app)
    {
        app.MapArm().MapGet("/subscriptions/{subscriptionId}/providers", (string subscriptionId) =>
            TypedResults.Ok(new ArmList<Provider>(Providers.Keys.Select(ns => Describe(subscriptionId, ns)).ToList()))).WithTags("Subscriptions");
        app.MapArm().MapGet("/subscriptions/{subscriptionId}/providers/{resourceProviderNamespace}", (string subscriptionId, string resourceProviderNamespace) =>
            Providers.ContainsKey(resourceProviderNamespace)
                ? TypedResults.Ok(Describe(subscriptionId, resourceProviderNamespace))
                : throw new ArmException(404, "InvalidResourceNamespace", $"The resource namespace '{resourceProviderNamespace}' is not emulated; known: {string.Join(", ", Providers.Keys)}."))
            .WithTags("Subscriptions");
        app.MapOperations();
    }

    private static Provider Describe(string subscriptionId, string ns)
    {
        var key = Providers.Keys.First(k => k.Equals(ns, StringComparison.OrdinalIgnoreCase));
        var (version, types) = Providers[key];
        var versions = new[] { version }.Concat(KnownApiVersions.For(key).Where(v => v != version)).ToList();
        return new Provider($"/subscriptions/{subscriptionId}/providers/{key}", key, "Registered", "RegistrationRequired",
            types.Select(t => new ProviderResourceType(t, Locations, versions)).ToList());
    }
}
