namespace BackupControlPlane.Api.Features.ResourceGuards;

/// <summary>
/// The critical operations of a Recovery Services vault a Resource Guard protects: the vault's operation (what the
/// guard's exclusion list names, byte for byte as the az CLI compares it) and the guard's request type a client must
/// be authorised on (<c>{guardId}/{requestType}/default</c> in <c>resourceGuardOperationRequests</c>).
/// </summary>
public static class GuardOperations
{
    public sealed record Operation(string VaultCriticalOperation, string RequestType, bool Mandatory = false);

    private const string Vaults = "Microsoft.RecoveryServices/vaults";
    private const string Items = Vaults + "/backupFabrics/protectionContainers/protectedItems";

    public static readonly Operation DeleteProtectedItem = new(Items + "/delete", "deleteProtectedItemRequests");
    public static readonly Operation UpdateProtectedItem = new(Items + "/write", "updateProtectedItemRequests");
    public static readonly Operation UpdatePolicy = new(Vaults + "/backupPolicies/write", "updateProtectionPolicyRequests");
    public static readonly Operation DeleteProxy = new(Vaults + "/backupResourceGuardProxies/delete", "deleteResourceGuardProxyRequests", Mandatory: true);
    public static readonly Operation SecurityPin = new(Vaults + "/backupSecurityPIN/action", "getBackupSecurityPINRequests");
    public static readonly Operation DisableSoftDelete = new(Vaults + "/backupconfig/write", "disableSoftDeleteRequests", Mandatory: true);
    public static readonly Operation ModifyEncryption = new(Vaults + "/write#modifyEncryptionSettings", "modifyEncryptionSettings");
    public static readonly Operation StopProtectionRetainData = new(Items + "/write#stopProtectionWithRetainData", "stopProtectionWithRetainDataRequests");
    public static readonly Operation ReduceImmutability = new(Vaults + "/write#reduceImmutabilityState", "reduceImmutabilityStateRequests");

    /// <summary>Every operation, in the order the guard's <c>resourceGuardOperations</c> lists them.</summary>
    public static readonly IReadOnlyList<Operation> All =
        [DeleteProtectedItem, UpdateProtectedItem, UpdatePolicy, DeleteProxy, SecurityPin, DisableSoftDelete, ModifyEncryption, StopProtectionRetainData, ReduceImmutability];

    /// <summary>
    /// What an exclusion list may name: the vault operations above that are not mandatory, and Backup vaults'
    /// (Microsoft.DataProtection) operations, which Terraform's provider accepts too (kept and shown; no Backup vault is emulated).
    /// </summary>
    public static readonly IReadOnlyList<string> Excludable =
    [
        .. All.Where(o => !o.Mandatory).Select(o => o.VaultCriticalOperation),
        Vaults + "/backupconfig/delete",
        Vaults + "/backupEncryptionConfigs/backupResourceEncryptionConfig/write",
        Vaults + "/backupFabrics/protectionContainers/delete",
        Items + "/recoveryPoints/restore/action",
        "Microsoft.DataProtection/backupVaults/backupInstances/delete",
        "Microsoft.DataProtection/backupVaults/backupInstances/restore/action",
        "Microsoft.DataProtection/backupVaults/backupInstances/stopProtection/action",
        "Microsoft.DataProtection/backupVaults/backupInstances/suspendBackups/action",
        "Microsoft.DataProtection/backupVaults/backupInstances/write",
        "Microsoft.DataProtection/backupVaults/write#modifyEncryptionSettings",
        "Microsoft.DataProtection/backupVaults/write#reduceImmutabilityState",
        "Microsoft.DataProtection/backupVaults/backupResourceGuardProxies/delete",
    ];

    /// <summary>The request types a guard answers at <c>{guardId}/{requestType}/default</c>.</summary>
    public static readonly IReadOnlyList<string> RequestTypes =
    [
        .. All.Select(o => o.RequestType),
        "deleteBackupInstanceRequests",
    ];

    public static bool IsRequestType(string name) => RequestTypes.Contains(name, StringComparer.OrdinalIgnoreCase);

    public static string CanonicalRequestType(string name) => RequestTypes.First(t => t.Equals(name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The request a client names to be authorised for <paramref name="op"/> on <paramref name="guardId"/>.</summary>
    public static string DefaultRequest(string guardId, Operation op) => $"{guardId}/{op.RequestType}/default";
}
