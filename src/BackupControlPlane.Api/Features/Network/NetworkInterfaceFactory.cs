using System.Security.Cryptography;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Network;

/// <summary>NICs made for other slices (<see cref="INetworkInterfaceFactory"/>): the lowest free address of the subnet, as a dynamic NIC PUT gets.</summary>
public sealed class NetworkInterfaceFactory(BackupDbContext db, TimeProvider time) : INetworkInterfaceFactory
{
    public async Task<NetworkInterface> AddAsync(string subscriptionId, string resourceGroup, string name, string location, Subnet subnet, CancellationToken ct)
    {
        var prefix = IpAddressing.ParsePrefix(subnet.AddressPrefix)!.Value;
        var used = await db.Set<NicIpConfiguration>().Where(c => c.SubnetId == subnet.Id).Select(c => c.PrivateIpAddress).ToListAsync(ct);
        var address = IpAddressing.FirstFree(prefix, used)
            ?? throw ArmException.BadRequest($"Subnet {subnet.Name} with address prefix {subnet.AddressPrefix} does not have enough capacity for 1 IP address.", "SubnetIsFull");
        var nic = new NetworkInterface
        {
            ResourceGuid = Guid.NewGuid(), SubscriptionId = subscriptionId, ResourceGroup = resourceGroup, Name = name,
            Key = ResourceKeys.Of(subscriptionId, resourceGroup, name), Location = location, MacAddress = NewMacAddress(), CreatedAt = time.GetUtcNow(),
        };
        nic.IpConfigurations.Add(new NicIpConfiguration
        {
            Name = "ipconfig1", Primary = true, SubnetId = subnet.Id, PrivateIpAddress = address, PrivateIpAllocationMethod = "Dynamic",
        });
        db.NetworkInterfaces.Add(nic);
        return nic;
    }

    /// <summary>A MAC address in Microsoft's 00-0D-3A range, as Azure's NICs have.</summary>
    public static string NewMacAddress() => "00-0D-3A-" + string.Join("-", RandomNumberGenerator.GetBytes(3).Select(b => b.ToString("X2")));
}
