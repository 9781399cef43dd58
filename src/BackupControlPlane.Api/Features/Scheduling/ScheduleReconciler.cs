using BackupControlPlane.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Scheduling;

/// <summary>
/// At start-up: makes sure every policy in use has its next slot scheduled, which covers a crash between enabling
/// protection and scheduling.
/// </summary>
public sealed class ScheduleReconciler(IServiceScopeFactory scopes) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BackupDbContext>();
        var scheduler = scope.ServiceProvider.GetRequiredService<BackupScheduler>();
        var inUse = await db.BackupPolicies.Where(p => p.NextSlotJobId == null && db.ProtectedItems.Any(i => i.PolicyId == p.Id))
            .Select(p => p.Id).ToListAsync(ct);
        foreach (var id in inUse) await scheduler.EnsureScheduledAsync(id, ct);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
