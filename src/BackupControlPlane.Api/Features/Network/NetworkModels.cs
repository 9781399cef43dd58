namespace BackupControlPlane.Api.Features.Network;

// Microsoft.Network resources as Azure answers them, reduced to what the emulator keeps: address spaces, subnets,
// NICs with their IP configurations, public IP addresses. Every resource is provisioned at once ("Succeeded").

public sealed record SubResource(string Id);

public sealed record VirtualNetworkResource(string Id, string Name, string Type, string Location, Dictionary<string, string>? Tags, string Etag,
    VirtualNetworkProperties Properties);

public sealed record VirtualNetworkProperties(string ProvisioningState, string ResourceGuid, AddressSpace AddressSpace,
    IReadOnlyList<SubnetResource> Subnets, IReadOnlyList<object> VirtualNetworkPeerings, bool EnableDdosProtection);

public sealed record AddressSpace(IReadOnlyList<string> AddressPrefixes);

public sealed record SubnetResource(string Id, string Name, string Type, string Etag, SubnetProperties Properties);

public sealed record SubnetProperties(string ProvisioningState, string AddressPrefix, IReadOnlyList<SubResource>? IpConfigurations,
    string PrivateEndpointNetworkPolicies, string PrivateLinkServiceNetworkPolicies);

public sealed record NetworkInterfaceResource(string Id, string Name, string Type, string Location, Dictionary<string, string>? Tags, string Etag,
    NetworkInterfaceProperties Properties);

public sealed record NetworkInterfaceProperties(string ProvisioningState, string ResourceGuid, IReadOnlyList<IpConfigurationResource> IpConfigurations,
    DnsSettings DnsSettings, string MacAddress, bool EnableAcceleratedNetworking, bool EnableIPForwarding, bool? Primary,
    SubResource? VirtualMachine, string NicType);

public sealed record DnsSettings(IReadOnlyList<string> DnsServers, IReadOnlyList<string> AppliedDnsServers);

public sealed record IpConfigurationResource(string Id, string Name, string Type, string Etag, IpConfigurationProperties Properties);

public sealed record IpConfigurationProperties(string ProvisioningState, string PrivateIPAddress, string PrivateIPAllocationMethod,
    string PrivateIPAddressVersion, SubResource Subnet, SubResource? PublicIPAddress, bool Primary);

public sealed record PublicIpResource(string Id, string Name, string Type, string Location, Dictionary<string, string>? Tags, string Etag,
    IReadOnlyList<string>? Zones, PublicIpSku Sku, PublicIpProperties Properties);

public sealed record PublicIpSku(string Name, string Tier);

public sealed record PublicIpProperties(string ProvisioningState, string ResourceGuid, string IpAddress, string PublicIPAddressVersion,
    string PublicIPAllocationMethod, int IdleTimeoutInMinutes, IReadOnlyList<object> IpTags, PublicIpDnsSettings? DnsSettings, SubResource? IpConfiguration);

public sealed record PublicIpDnsSettings(string DomainNameLabel, string Fqdn);
