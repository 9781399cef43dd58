using System.Net;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Features.Scheduling;
using BackupControlPlane.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace BackupControlPlane.Api.Tests.Features.Scheduling;

/// <summary>
/// An Enhanced policy's hourly schedule through the Hangfire chain: every slot of the window (start + k·interval within
/// its duration) is planned in turn and backed up once, however often its job runs; nothing runs outside the window.
/// </summary>
public sealed class HourlySlotTests
{
    [Fact]
    public async Task An_hourly_policy_every_4_hours_from_08_00_for_12_hours_backs_up_08_12_and_16_once_each_day()
    {
        // A fake clock at midnight UTC, so the day walked below starts with the window's first slot.
        var midnight = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(1), TimeSpan.Zero);
        var time = new FakeTimeProvider(midnight);
        using var app = await EmulatorApp.StartAsync(time);
        const string rg = "rg-hourly", vault = "vault1", vm = "vmhourly";
        await app.Arm.PutVaultAsync(rg, vault);
        await app.Arm.PutVmAsync(rg, vm);
        using (var put = await app.Arm.SendAsync(HttpMethod.Put, ArmTestClient.VaultPath(rg, vault) + "/backupPolicies/hourly4", HourlyPolicy))
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        using (var enabled = await app.Arm.EnableProtectionAsync(rg, vault, vm, "hourly4"))
            Assert.Equal(HttpStatusCode.Accepted, enabled.StatusCode);

        // Walk two days of the chain as Hangfire would: at each planned slot the clock moves there and the slot's job
        // runs twice (a retry or a duplicate).
        var slots = new List<DateTimeOffset>();
        for (var step = 0; step < 6; step++)
        {
            long policyId;
            DateTimeOffset slot;
            await using (var scope = app.Services.CreateAsyncScope())
            {
                var policy = await scope.ServiceProvider.GetRequiredService<BackupDbContext>().BackupPolicies.SingleAsync(p => p.Vault!.ResourceGroup == rg && p.Name == "hourly4");
                (policyId, slot) = (policy.Id, policy.NextSlotUtc!.Value);
            }
            slots.Add(slot);
            time.Advance(slot - time.GetUtcNow());
            for (var run = 0; run < 2; run++)
            {
                await using var scope = app.Services.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<ScheduledBackupJob>().RunSlotAsync(policyId, slot.UtcDateTime, CancellationToken.None);
            }
        }

        TimeSpan[] window = [TimeSpan.FromHours(8), TimeSpan.FromHours(12), TimeSpan.FromHours(16)];
        Assert.Equal([.. window.Select(t => midnight + t), .. window.Select(t => midnight.AddDays(1) + t)], slots);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var backups = await scope.ServiceProvider.GetRequiredService<BackupDbContext>().BackupJobs
                .Where(j => j.Operation == JobOperations.Backup && j.EntityFriendlyName == vm).Select(j => j.ScheduledSlotUtc).ToListAsync();
            Assert.Equal(slots.Cast<DateTimeOffset?>(), backups.Order());
        }
    }

    private static readonly object HourlyPolicy = new
    {
        properties = new
        {
            backupManagementType = "AzureIaasVM", policyType = "V2", timeZone = "UTC", instantRpRetentionRangeInDays = 5,
            schedulePolicy = new
            {
                schedulePolicyType = "SimpleSchedulePolicyV2", scheduleRunFrequency = "Hourly",
                hourlySchedule = new { interval = 4, scheduleWindowStartTime = "2021-12-17T08:00:00Z", scheduleWindowDuration = 12 },
            },
            retentionPolicy = new
            {
                retentionPolicyType = "LongTermRetentionPolicy",
                dailySchedule = new { retentionTimes = new[] { "2021-12-17T08:00:00Z" }, retentionDuration = new { count = 30, durationType = "Days" } },
            },
        },
    };
}
