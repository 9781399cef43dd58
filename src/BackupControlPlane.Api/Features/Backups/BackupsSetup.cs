namespace BackupControlPlane.Api.Features.Backups;

public static class BackupsSetup
{
    /// <summary>The backup lifecycle's stages (one scoped service each), its Hangfire jobs and their start-up schedule.</summary>
    public static IServiceCollection AddBackups(this IServiceCollection services)
    {
        services.AddScoped<BackupStarter>();
        services.AddScoped<Scheduling.ISlotBackups>(sp => sp.GetRequiredService<BackupStarter>());
        services.AddScoped<SnapshotStatusReader>();
        services.AddScoped<SnapshotReportHandler>();
        services.AddScoped<VaultTransferJob>();
        services.AddScoped<BackupCanceller>();
        services.AddScoped<TaskTimeouts>();
        services.AddScoped<StalledTransfers>();
        services.AddScoped<BackupCleanup>();
        services.AddScoped<RecoveryPointAudit>();
        services.AddScoped<BackupWatchdog>();
        services.AddScoped<RetentionPruner>();
        services.AddScoped<OrphanSweeper>();
        services.AddHostedService<BackupMaintenanceSchedule>();
        return services;
    }
}
