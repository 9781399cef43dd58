using BackupControlPlane.Api.Data;
using Hangfire;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BackupControlPlane.Api.Infrastructure;

public sealed class DatabaseHealthCheck(BackupDbContext db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default) =>
        await db.Database.CanConnectAsync(ct) ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("The database does not answer.");
}

public sealed class BlobStorageHealthCheck(BlobStorage storage) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default) =>
        await storage.IsReachableAsync(ct) ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("Blob storage (Azurite) does not answer.");
}

public sealed class HangfireHealthCheck(JobStorage storage) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            var servers = storage.GetMonitoringApi().Servers();
            return Task.FromResult(servers.Count > 0 ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("No Hangfire server is running."));
        }
        catch (Exception e)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("Hangfire storage does not answer.", e));
        }
    }
}
