namespace BackupControlPlane.Api.Features.Restore;

public static class RestoreSetup
{
    public static IServiceCollection AddRestore(this IServiceCollection services)
    {
        services.AddScoped<RestoreService>();
        services.AddScoped<RestoreJob>();
        services.AddSingleton<CrossRegionAccessTokens>();
        services.AddScoped<ArchiveRehydration>();
        services.AddScoped<ManagedDiskRestore>();
        services.AddScoped<AlternateLocationRestore>();
        services.AddScoped<OriginalLocationRestore>();
        return services;
    }
}
