namespace BackupControlPlane.Api.Infrastructure.OpenApi;

/// <summary>
/// What Swagger UI shows and pre-fills for the ARM routes' parameters: one description and one working example per
/// path parameter name, on the names of the README walk-through (resource group rg1, VM vm1, vault v1), and the
/// api-version each provider's examples use. Applied to every ARM operation by <see cref="OpenApiArmOperations"/>.
/// </summary>
public static class OpenApiArmParameters
{
    public const string ResourceGroup = "rg1";
    public const string Vm = "vm1";
    public const string Vault = "v1";

    /// <summary>Name → (description, example); the subscription's example is the configured default subscription.</summary>
    public static readonly IReadOnlyDictionary<string, (string Description, string Example)> Path =
        new Dictionary<string, (string, string)>(StringComparer.OrdinalIgnoreCase)
        {
            ["subscriptionId"] = ("The subscription, a GUID. The emulator lists one (Emulator:DefaultSubscriptionId) and accepts any other GUID on first use.", ""),
            ["resourceGroupName"] = ("The resource group; created on first use by a VM, vault or disk PUT.", ResourceGroup),
            ["vmName"] = ("The emulated virtual machine.", Vm),
            ["vaultName"] = ("The Recovery Services vault.", Vault),
            ["fabricName"] = ("The backup fabric: always `Azure` for Azure VMs.", "Azure"),
            ["containerName"] = ("The VM's protection container: `IaasVMContainer;iaasvmcontainerv2;{resourceGroup};{vmName}`.",
                $"IaasVMContainer;iaasvmcontainerv2;{ResourceGroup};{Vm}"),
            ["protectedItemName"] = ("The VM's protected item: `VM;iaasvmcontainerv2;{resourceGroup};{vmName}`.", $"VM;iaasvmcontainerv2;{ResourceGroup};{Vm}"),
            ["policyName"] = ("The backup policy. Every vault comes with `DefaultPolicy` (daily, 30 days).", "DefaultPolicy"),
            ["recoveryPointId"] = ("A recovery point's name, as the recoveryPoints list gives it (a number).", "1764633600000"),
            ["jobName"] = ("A backup job's name, as the backupJobs list gives it (a GUID).", "00000000-0000-0000-0000-00000000b001"),
            ["operationId"] = ("A long-running operation's id, the last segment of the Location or Azure-AsyncOperation URL a 202 answered.",
                "00000000-0000-0000-0000-00000000a001"),
            ["location"] = ("An Azure region.", "eastus"),
            ["azureRegion"] = ("A vault's paired secondary region (cross-region restore): `westus` for a vault in eastus.", "westus"),
            ["diskName"] = ("The managed disk.", "disk1"),
            ["virtualNetworkName"] = ("The virtual network.", "vnet1"),
            ["subnetName"] = ("The subnet.", "default"),
            ["networkInterfaceName"] = ("The network interface.", "nic1"),
            ["publicIpAddressName"] = ("The public IP address.", "ip1"),
            ["accountName"] = ("The storage account (a restore's target); one never PUT exists on first use.", "restoresa"),
            ["extensionName"] = ("The VM extension; the backup extension is `VMSnapshotLinux` (or `VMSnapshot` on Windows).", "VMSnapshotLinux"),
            ["backupEngineName"] = ("A backup engine (none exist for Azure VM backup).", "engine1"),
            ["resourceGuardProxyName"] = ("The vault's Resource Guard mapping: always `VaultProxy`.", "VaultProxy"),
            ["resourceGuardsName"] = ("The Resource Guard (Microsoft.DataProtection) that multi-user authorization checks.", "guard1"),
            ["requestType"] = ("A critical operation's request type on the guard, e.g. `disableSoftDeleteRequests`.", "disableSoftDeleteRequests"),
            ["requestName"] = ("The guard's request of that type: always `default`.", "default"),
            ["settingName"] = ("A Site Recovery vault setting: `default` (the emulator answers as a vault without Site Recovery).", "default"),
            ["roleDefinitionId"] = ("A built-in role's id (a GUID); the list gives them, e.g. Backup Operator's.", "00c29273-979b-4161-815c-10b084fb9324"),
            ["roleAssignmentName"] = ("A role assignment's name: a GUID the client chooses.", "11111111-2222-3333-4444-555555555555"),
            ["resourceProviderNamespace"] = ("A resource provider namespace.", "Microsoft.RecoveryServices"),
        };

    /// <summary>The api-version Swagger UI pre-fills, per provider: the one the README's examples send.</summary>
    public static string ApiVersionFor(string provider) => provider.ToLowerInvariant() switch
    {
        "microsoft.recoveryservices" => "2025-02-01",
        "microsoft.compute" => "2024-07-01",
        "microsoft.network" => "2022-07-01",
        "microsoft.storage" => "2023-01-01",
        "microsoft.dataprotection" => "2025-07-01", // Terraform azurerm 4.x: resourceGuards
        "microsoft.authorization" => "2022-04-01", // the az CLI's role commands
        _ => "2021-04-01", // Microsoft.Resources: subscriptions, resource groups, providers (what az sends)
    };
}
