using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;

namespace BackupControlPlane.Api.Features.Network;

/// <summary>The minimal Microsoft.Network the emulator has: what a VM's NIC needs, and what `az vm show -d` reads.</summary>
public static class NetworkApi
{
    public static void MapNetwork(this IEndpointRouteBuilder app)
    {
        var group = app.MapArm().WithTags("Microsoft.Network (minimal)");
        group.MapVirtualNetworks();
        group.MapSubnets();
        group.MapNetworkInterfaces();
        group.MapPublicIpAddresses();
    }

    public static IServiceCollection AddNetwork(this IServiceCollection services) =>
        services.AddScoped<NetworkDeletion>().AddScoped<INetworkInterfaceFactory, NetworkInterfaceFactory>();
}
