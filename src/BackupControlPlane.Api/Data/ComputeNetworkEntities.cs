namespace BackupControlPlane.Api.Data;

/// <summary>
/// A managed disk (<c>Microsoft.Compute/disks</c>): a page blob in blob storage like an unmanaged VM disk. Attached
/// when a <see cref="VirtualMachineDisk"/> points to it (that row carries the same blob, so backups see no difference).
/// </summary>
public sealed class ManagedDisk
{
    public long Id { get; set; }
    public Guid UniqueId { get; set; }
    public required string SubscriptionId { get; set; }
    public required string ResourceGroup { get; set; }
    public required string Name { get; set; }
    public required string Key { get; set; }
    public required string Location { get; set; }
    public required string SkuName { get; set; }
    public int DiskSizeGB { get; set; }
    public string? OsType { get; set; }
    /// <summary>creationData.createOption: Empty, or FromImage for a VM's OS disk.</summary>
    public required string CreateOption { get; set; }
    /// <summary>creationData.imageReference of an OS disk made from an image, as JSON.</summary>
    public string? ImageReferenceJson { get; set; }
    public string? TagsJson { get; set; }
    public string? ZonesJson { get; set; }
    public required string BlobContainer { get; set; }
    public required string BlobName { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public List<VirtualMachineDisk> Attachments { get; set; } = [];
}

/// <summary>A virtual network (<c>Microsoft.Network/virtualNetworks</c>) with its address space and subnets.</summary>
public sealed class VirtualNetwork
{
    public long Id { get; set; }
    public Guid ResourceGuid { get; set; }
    public required string SubscriptionId { get; set; }
    public required string ResourceGroup { get; set; }
    public required string Name { get; set; }
    public required string Key { get; set; }
    public required string Location { get; set; }
    /// <summary>addressSpace.addressPrefixes as a JSON array of CIDR strings.</summary>
    public required string AddressPrefixesJson { get; set; }
    public string? TagsJson { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public List<Subnet> Subnets { get; set; } = [];
}

public sealed class Subnet
{
    public long Id { get; set; }
    public long VirtualNetworkId { get; set; }
    public VirtualNetwork? VirtualNetwork { get; set; }
    public required string Name { get; set; }
    public required string AddressPrefix { get; set; }
}

/// <summary>A network interface (<c>Microsoft.Network/networkInterfaces</c>); attached to at most one VM.</summary>
public sealed class NetworkInterface
{
    public long Id { get; set; }
    public Guid ResourceGuid { get; set; }
    public required string SubscriptionId { get; set; }
    public required string ResourceGroup { get; set; }
    public required string Name { get; set; }
    public required string Key { get; set; }
    public required string Location { get; set; }
    public required string MacAddress { get; set; }
    public bool EnableAcceleratedNetworking { get; set; }
    public string? TagsJson { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public long? VirtualMachineId { get; set; }
    public VirtualMachine? VirtualMachine { get; set; }
    public List<NicIpConfiguration> IpConfigurations { get; set; } = [];
}

public sealed class NicIpConfiguration
{
    public long Id { get; set; }
    public long NetworkInterfaceId { get; set; }
    public required string Name { get; set; }
    public bool Primary { get; set; }
    public long SubnetId { get; set; }
    public Subnet? Subnet { get; set; }
    public required string PrivateIpAddress { get; set; }
    /// <summary>Dynamic or Static.</summary>
    public required string PrivateIpAllocationMethod { get; set; }
    public long? PublicIpAddressId { get; set; }
    public PublicIpAddress? PublicIpAddress { get; set; }
}

/// <summary>A public IP address (<c>Microsoft.Network/publicIPAddresses</c>), allocated from 20.0.0.0/8 on create.</summary>
public sealed class PublicIpAddress
{
    public long Id { get; set; }
    public Guid ResourceGuid { get; set; }
    public required string SubscriptionId { get; set; }
    public required string ResourceGroup { get; set; }
    public required string Name { get; set; }
    public required string Key { get; set; }
    public required string Location { get; set; }
    public required string IpAddress { get; set; }
    /// <summary>Static or Dynamic.</summary>
    public required string AllocationMethod { get; set; }
    public required string SkuName { get; set; }
    public string? DomainNameLabel { get; set; }
    public int IdleTimeoutInMinutes { get; set; } = 4;
    public string? TagsJson { get; set; }
    public string? ZonesJson { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
