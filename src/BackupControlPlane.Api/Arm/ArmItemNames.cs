namespace BackupControlPlane.Api.Arm;

/// <summary>
/// The names in an item's route and body, checked the same way by every route that takes them: fabric
/// <c>Azure</c>, container <c>IaasVMContainer;iaasvmcontainerv2;{rg};{vm}</c>, item <c>VM;iaasvmcontainerv2;{rg};{vm}</c>,
/// and a VM's resource id.
/// </summary>
public static class ArmItemNames
{
    /// <summary>The container name (<c>iaasvmcontainerv2;{rg};{vm}</c>, lowercased) that the route's names agree on.</summary>
    public static string Parse(string fabric, string container, string item)
    {
        if (!fabric.Equals("Azure", StringComparison.OrdinalIgnoreCase))
            throw ArmException.NotFound($"backupFabrics/{fabric} (the only fabric is 'Azure')");
        var c = ArmIds.ParseContainerName(container, "IaasVMContainer")
            ?? throw ArmException.BadRequest($"'{container}' is not an IaaS VM container name: expected 'IaasVMContainer;iaasvmcontainerv2;{{resourceGroup}};{{vm}}'.");
        var i = ArmIds.ParseContainerName(item, "VM")
            ?? throw ArmException.BadRequest($"'{item}' is not an IaaS VM item name: expected 'VM;iaasvmcontainerv2;{{resourceGroup}};{{vm}}'.");
        if (c != i) throw ArmException.BadRequest($"The container '{container}' and the item '{item}' name different VMs.");
        return c;
    }

    /// <summary><see cref="Parse"/>, null where it would refuse the names.</summary>
    public static string? TryParse(string fabric, string container, string item) =>
        fabric.Equals("Azure", StringComparison.OrdinalIgnoreCase) && ArmIds.ParseContainerName(container, "IaasVMContainer") is { } c
            && ArmIds.ParseContainerName(item, "VM") == c ? c : null;

    public static (string Sub, string Rg, string Name) ParseVmId(string id) => TryParseVmId(id)
        ?? throw ArmException.BadRequest($"sourceResourceId '{id}' is not a VM resource id (/subscriptions/{{sub}}/resourceGroups/{{rg}}/providers/Microsoft.Compute/virtualMachines/{{vm}}).");

    /// <summary><see cref="ParseVmId"/>, null where it would refuse the id.</summary>
    public static (string Sub, string Rg, string Name)? TryParseVmId(string id)
    {
        var parts = id.Trim('/').Split('/');
        if (parts.Length == 8 && parts[0].Equals("subscriptions", StringComparison.OrdinalIgnoreCase)
            && parts[2].Equals("resourceGroups", StringComparison.OrdinalIgnoreCase) && parts[4].Equals("providers", StringComparison.OrdinalIgnoreCase)
            && parts[5].Equals("Microsoft.Compute", StringComparison.OrdinalIgnoreCase) && parts[6].Equals("virtualMachines", StringComparison.OrdinalIgnoreCase))
            return (parts[1], parts[3], parts[7]);
        return null;
    }
}
