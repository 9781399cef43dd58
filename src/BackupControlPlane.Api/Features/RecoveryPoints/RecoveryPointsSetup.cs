namespace BackupControlPlane.Api.Features.RecoveryPoints;

public static class RecoveryPointsSetup
{
    public static IServiceCollection AddRecoveryPoints(this IServiceCollection services)
    {
        services.AddScoped<ArchiveMover>();
        services.AddScoped<ArchiveMoveJob>();
        services.AddScoped<SmartTiering>();
        services.AddHostedService<SmartTieringSchedule>();
        return services;
    }
}
