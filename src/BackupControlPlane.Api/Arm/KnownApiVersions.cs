namespace BackupControlPlane.Api.Arm;

/// <summary>
/// The api-versions real clients send, per resource provider: what strict mode (<c>Emulator:StrictApiVersions</c>)
/// accepts and what provider metadata lists. Each entry names where it comes from, so a new SDK release is one line.
/// </summary>
public static class KnownApiVersions
{
    /// <summary>Sent by the az CLI (2.45), the .NET SDK and older clients, to any provider the emulator serves.</summary>
    private static readonly string[] Clients =
    [
        "2025-02-01", "2024-11-01", "2024-07-01", "2024-04-01", "2024-03-01", "2023-09-01", "2023-07-01", "2023-06-01", "2023-04-01",
        "2023-03-01", "2023-02-01", "2023-01-01", "2022-12-01", "2022-11-01", "2022-10-01", "2022-09-01-preview", "2022-08-01",
        "2021-01-01", "2020-10-01", "2020-01-01", "2019-11-01", "2019-06-15", "2019-05-13", "2018-02-01", "2017-07-01", "2016-12-01",
        "2016-06-01", "2016-01-01", "2015-12-01",
    ];

    private static readonly Dictionary<string, string[]> ByProvider = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Microsoft.RecoveryServices"] =
        [
            "2026-07-01", // @azure/arm-recoveryservices 7.2.0 (vaults), its default; its other KnownVersions:
            "2026-05-01", "2026-02-01", "2026-01-01", "2025-08-01",
            "2025-02-01", // Azure's specs: recoveryservices and recoveryservicesbackup, stable/2025-02-01
            "2023-06-01", // @azure/arm-recoveryservicesbackup 12.0.0, its default
            "2021-11-15", // az CLI (Debian 2.45): the cross-region restore ("passive stamp") client
        ],
        ["Microsoft.Compute"] =
        [
            "2026-04-01", // @azure/arm-compute 25.1.1: virtualMachines, virtualMachineExtensions
            "2026-03-02", // @azure/arm-compute 25.1.1: disks, snapshots
            "2022-07-02", // az CLI (Debian 2.45): disks
        ],
        ["Microsoft.Network"] =
        [
            "2026-01-01", // @azure/arm-network 39.0.0, its default
            "2022-07-01", "2022-05-01", "2022-01-01", // az CLI (Debian 2.45): network commands
            "2019-11-01", // az CLI (Debian 2.45): backup restore-disks --restore-mode AlternateLocation reads the target VNet
        ],
        ["Microsoft.Storage"] = [],
        ["Microsoft.DataProtection"] = ["2025-07-01"], // Terraform azurerm 4.x: resourceGuards
        ["Microsoft.Authorization"] = ["2022-04-01", "2020-04-01-preview", "2018-01-01-preview", "2015-07-01"], // az CLI and SDKs: role assignments and definitions
        // Subscriptions, resource groups, resources and provider metadata (/subscriptions/{id}/providers/{ns} itself).
        ["Microsoft.Resources"] =
        [
            "2025-04-01", // @azure/arm-resources 8.0.0, its default
            "2022-09-01", "2021-04-01", // az CLI (Debian 2.45): group and resource commands
        ],
    };

    /// <summary>The strict list of a provider, newest first; any other namespace gets the clients' common list.</summary>
    public static IReadOnlyList<string> For(string? providerNamespace) =>
        (providerNamespace is not null && ByProvider.TryGetValue(providerNamespace, out var own) ? own : [])
            .Concat(Clients).Distinct(StringComparer.OrdinalIgnoreCase).OrderDescending(StringComparer.Ordinal).ToList();

    public static bool IsKnown(string? providerNamespace, string version) => For(providerNamespace).Contains(version, StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The provider a request path addresses: the namespace after the last <c>/providers/</c> that names a resource
    /// type (<c>…/providers/Microsoft.Compute/virtualMachines/…</c>), or Microsoft.Resources for subscriptions,
    /// resource groups and provider metadata.
    /// </summary>
    public static string ProviderOf(PathString path)
    {
        var segments = (path.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var i = segments.Length - 2; i >= 0; i--)
            if (segments[i].Equals("providers", StringComparison.OrdinalIgnoreCase) && i + 2 < segments.Length) return segments[i + 1];
        return "Microsoft.Resources";
    }
}
