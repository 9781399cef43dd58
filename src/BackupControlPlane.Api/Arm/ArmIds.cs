namespace BackupControlPlane.Api.Arm;

/// <summary>Resource ids spelled exactly as Azure spells them; the az CLI cuts names out of them with case-sensitive regexes.</summary>
public static class ArmIds
{
    public static string ResourceGroup(string sub, string rg) => $"/subscriptions/{sub}/resourceGroups/{rg}";

    public static string VirtualMachine(string sub, string rg, string vm) =>
        $"{ResourceGroup(sub, rg)}/providers/Microsoft.Compute/virtualMachines/{vm}";

    public static string Extension(string vmId, string name) => $"{vmId}/extensions/{name}";

    public static string Vault(string sub, string rg, string vault) =>
        $"{ResourceGroup(sub, rg)}/providers/Microsoft.RecoveryServices/vaults/{vault}";

    public static string Policy(string vaultId, string policy) => $"{vaultId}/backupPolicies/{policy}";

    public static string Fabric(string vaultId) => $"{vaultId}/backupFabrics/Azure";

    /// <summary>"iaasvmcontainerv2;{rg};{vm}", with RG and VM lowercased as Azure does.</summary>
    public static string ContainerName(string rg, string vm) => $"iaasvmcontainerv2;{rg.ToLowerInvariant()};{vm.ToLowerInvariant()}";

    public static string ContainerResourceName(string containerName) => $"IaasVMContainer;{containerName}";

    public static string ProtectedItemName(string containerName) => $"VM;{containerName}";

    public static string Container(string vaultId, string containerName) =>
        $"{Fabric(vaultId)}/protectionContainers/{ContainerResourceName(containerName)}";

    public static string ProtectedItem(string vaultId, string containerName) =>
        $"{Container(vaultId, containerName)}/protectedItems/{ProtectedItemName(containerName)}";

    public static string ProtectableItem(string vaultId, string containerName) =>
        $"{Container(vaultId, containerName)}/protectableItems/vm;{containerName}";

    public static string Job(string vaultId, Guid jobId) => $"{vaultId}/backupJobs/{jobId}";

    public static string RecoveryPoint(string itemId, string rpName) => $"{itemId}/recoveryPoints/{rpName}";

    /// <summary>
    /// Parses the container or item segment of a protected-item route: "IaasVMContainer;iaasvmcontainerv2;rg;vm"
    /// or "VM;iaasvmcontainerv2;rg;vm" (prefix case-insensitive, the "iaasvmcontainer;" classic form included).
    /// Returns the normalised container name, or null when the segment is not an IaaS VM name.
    /// </summary>
    public static string? ParseContainerName(string segment, string prefix)
    {
        var parts = segment.Split(';');
        if (parts.Length != 4 || !parts[0].Equals(prefix, StringComparison.OrdinalIgnoreCase)) return null;
        if (!parts[1].Equals("iaasvmcontainerv2", StringComparison.OrdinalIgnoreCase)) return null;
        if (parts[2].Length == 0 || parts[3].Length == 0) return null;
        return ContainerName(parts[2], parts[3]);
    }
}
