namespace BackupControlPlane.Api.Features.Protection;

public static class ProtectionSetup
{
    public static IServiceCollection AddProtection(this IServiceCollection services)
    {
        services.AddScoped<ProtectionService>();
        services.AddScoped<Backups.IExpiredItemPurger, ExpiredItemPurger>();
        return services;
    }
}
