namespace BackupControlPlane.Api.Features.Scheduling;

public static class SchedulingSetup
{
    /// <summary>Each policy's next slot as one Hangfire job; at start-up every policy in use gets its slot.</summary>
    public static IServiceCollection AddScheduling(this IServiceCollection services)
    {
        services.AddSingleton<SlotSignals>();
        services.AddScoped<BackupScheduler>();
        services.AddScoped<ScheduledBackupJob>();
        services.AddHostedService<ScheduleReconciler>();
        return services;
    }
}
