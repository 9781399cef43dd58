using System.Net;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Features.Scheduling;
using BackupControlPlane.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace BackupControlPlane.Api.Tests.Features.Scheduling;

/// <summary>
/// The slot job as Hangfire runs it: a retry or duplicate never backs a slot up twice, and after downtime the missed
/// slots collapse into one catch-up backup, with the chain moving on from now. An Enhanced policy's hourly slots are
/// planned and run the same way. The tests share one app on a fake clock, which each moves only forward.
/// </summary>
public sealed class SlotExactlyOnceTests(SlotExactlyOnceTests.ClockedApp fixture) : IClassFixture<SlotExactlyOnceTests.ClockedApp>
{
    public sealed class ClockedApp : IAsyncLifetime
    {
        public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);
        public EmulatorApp App { get; private set; } = null!;
        public async Task InitializeAsync() => App = await EmulatorApp.StartAsync(Time);
        public Task DisposeAsync() => App.DisposeAsync().AsTask();

        /// <summary>The app with a token of the clock's now: one issued before the clock moved on by days has expired.</summary>
        public async Task<EmulatorApp> WithFreshTokenAsync()
        {
            await App.RenewTokenAsync();
            return App;
        }
    }

    [Fact]
    public async Task A_slot_runs_once_however_often_its_job_runs_and_missed_slots_give_one_catch_up()
    {
        var (time, app) = (fixture.Time, await fixture.WithFreshTokenAsync());
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

    [Fact]
    public async Task An_hourly_policy_every_4_hours_from_08_00_for_12_hours_backs_up_08_12_and_16_once_each_day()
    {
        // The clock at the next midnight UTC, so the day walked below starts with the window's first slot.
        var time = fixture.Time;
        var midnight = new DateTimeOffset(time.GetUtcNow().UtcDateTime.Date.AddDays(1), TimeSpan.Zero);
        time.Advance(midnight - time.GetUtcNow());
        var app = await fixture.WithFreshTokenAsync();
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
