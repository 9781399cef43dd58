using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Features.Scheduling;
using BackupControlPlane.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace BackupControlPlane.Api.Tests.Features.Scheduling;

/// <summary>
/// The slot job as Hangfire runs it: a retry or duplicate never backs a slot up twice, and after downtime the missed
/// slots collapse into one catch-up backup, with the chain moving on from now.
/// </summary>
public sealed class SlotExactlyOnceTests
{
    [Fact]
    public async Task A_slot_runs_once_however_often_its_job_runs_and_missed_slots_give_one_catch_up()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var app = await EmulatorApp.StartAsync(time);
        const string rg = "rg-slots";
        await app.Arm.ProtectedVmAsync(rg, "vault1", "vmslot");
        long policyId;
        DateTimeOffset firstSlot;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<BackupDbContext>();
            var policy = await db.BackupPolicies.SingleAsync(p => p.Vault!.ResourceGroup == rg);
            policyId = policy.Id;
            firstSlot = policy.NextSlotUtc!.Value;
        }

        // The service was down for three days past the slot; Hangfire then runs the overdue job (and, say, retries it).
        time.Advance(firstSlot - time.GetUtcNow() + TimeSpan.FromDays(3));
        for (var run = 0; run < 3; run++)
        {
            await using var scope = app.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<ScheduledBackupJob>().RunSlotAsync(policyId, firstSlot.UtcDateTime, CancellationToken.None);
        }

        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<BackupDbContext>();
            var backups = await db.BackupJobs.Where(j => j.Operation == JobOperations.Backup && j.EntityFriendlyName == "vmslot").ToListAsync();
            Assert.Equal(firstSlot, Assert.Single(backups).ScheduledSlotUtc);
            var next = (await db.BackupPolicies.SingleAsync(p => p.Id == policyId)).NextSlotUtc!.Value;
            Assert.True(next > time.GetUtcNow(), "the next slot is planned from now, not replayed from the missed ones");
            Assert.True(next - time.GetUtcNow() <= TimeSpan.FromDays(1));
        }
    }
}
