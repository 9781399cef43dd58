namespace BackupControlPlane.Api.Arm;

/// <summary>The ARM route templates several slices map under (Azure's own paths and parameter names).</summary>
public static class ArmRoutes
{
    public const string Vault = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.RecoveryServices/vaults/{vaultName}";
    public const string ProtectedItem = Vault + "/backupFabrics/{fabricName}/protectionContainers/{containerName}/protectedItems/{protectedItemName}";
}
