namespace BackupControlPlane.Api.Features.Vaults;

public static class VaultsSetup
{
    public static IServiceCollection AddVaults(this IServiceCollection services)
    {
        services.AddScoped<VaultSettingsStore>();
        services.AddScoped<VaultDeletion>();
        return services;
    }
}
