using BackupControlPlane.Api.Arm;

namespace BackupControlPlane.Api.Features.ResourceGuards;

/// <summary>Multi-user authorization: Resource Guards, vaults' mappings to them, and the check of critical operations.</summary>
public static class ResourceGuardsSetup
{
    public static IServiceCollection AddResourceGuards(this IServiceCollection services) =>
        services.AddScoped<IGroupResources, ResourceGuardGroupResources>();

    public static void MapResourceGuards(this IEndpointRouteBuilder app)
    {
        app.MapResourceGuardApi();
        app.MapResourceGuardProxyApi();
    }
}
