using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Infrastructure;
using BackupControlPlane.Contracts;
using Microsoft.EntityFrameworkCore;
using System.Text.Json;

namespace BackupControlPlane.Api.Features.Agents;

/// <summary>
/// Builds a VM's goal state. Protected settings (SAS URIs) are minted here, at delivery, for the active task only, and
/// encrypted to the agent's registered certificate: they are never stored, and each SAS expires after the configured lifetime.
/// </summary>
public sealed class GoalStateBuilder(BackupDbContext db, BlobStorage storage, TimeProvider time, AgentCertificateCache certificates,
    Microsoft.Extensions.Options.IOptions<EmulatorOptions> options, Infrastructure.Telemetry.TaskTraces traces, IdleGoalStates idle)
{
    public static string StatusBlobName(string vmName) => $"{vmName}.v2.Status.txt";
    public static string LogsBlobName(string vmName) => $"{vmName}.v2.Logs.txt";

    /// <returns>Null when the VM is gone (deleted, or an emulator reset, while its agent held a long-poll).</returns>
    public async Task<AgentGoalState?> BuildAsync(long vmId, CancellationToken ct)
    {
        // The VM (its incarnation) before its task: a task committed between the two reads goes out with the older
        // incarnation, and the agent's next poll is answered at once; the other way round it could be missed.
        var vm = await db.VirtualMachines.Include(v => v.Extensions).AsNoTracking().FirstOrDefaultAsync(v => v.Id == vmId, ct);
        if (vm is null) return null;
        var task = await db.AgentTasks.AsNoTracking().Where(t => t.VirtualMachineId == vmId && (t.State == AgentTaskStates.Pending || t.State == AgentTaskStates.Transitioning))
            .OrderByDescending(t => t.SequenceNumber).FirstOrDefaultAsync(ct);
        // The disks only go into a task's protected settings: a poll without a task (most: every hold that runs out) skips them.
        if (task is not null) vm.Disks = await db.VirtualMachineDisks.AsNoTracking().Where(d => d.VirtualMachineId == vmId).ToListAsync(ct);
        var now = time.GetUtcNow();
        // A pending task leased already was leased with its creation, to the poll held then (BackupStarter): no write.
        using var delivered = task is { State: AgentTaskStates.Pending } ? traces.Start("bcp.agent.task.deliver", task.Id) : null;
        if (task is { State: AgentTaskStates.Pending } && (task.LeaseExpiresAt is null || task.LeaseExpiresAt <= now))
        {
            // Leased to the agent until it acknowledges; one guarded UPDATE, since its report may land at the same moment.
            var lease = now + options.Value.AgentTaskLease;
            await db.AgentTasks.Where(t => t.Id == task.Id && t.State == AgentTaskStates.Pending && (t.LeaseExpiresAt == null || t.LeaseExpiresAt <= now))
                .ExecuteUpdateAsync(u => u
                    .SetProperty(t => t.DeliveredAt, t => t.DeliveredAt ?? now)
                    .SetProperty(t => t.LeaseExpiresAt, lease)
                    .SetProperty(t => t.DeliveryCount, t => t.DeliveryCount + 1), ct);
        }
        var goal = Compose(vm, task, vm.Incarnation);
        if (task is null) idle.Remember(vm, goal);
        return goal;
    }

    /// <summary>
    /// The goal state of <paramref name="vm"/> (its disks and extensions loaded) at <paramref name="incarnation"/>, with
    /// <paramref name="task"/> (null: none active) and its protected settings minted now. No database access: backup-now
    /// composes it from the rows it has just committed, for the poll held here (<see cref="AgentNotifier.Signal"/>).
    /// </summary>
    public AgentGoalState Compose(VirtualMachine vm, AgentTask? task, long incarnation)
    {
        // Parsed only when there is a task to encrypt for: most goal states (every held poll that times out) carry none.
        var certificate = vm.AgentCertificate is null || task is null ? null : certificates.Of(vm.Id, vm.AgentCertificate);
        var extensions = vm.Extensions.OrderBy(e => e.Name).Select(e =>
        {
            var isSnapshot = e.Publisher == VmSnapshotExtension.Publisher && task is not null && e.SequenceNumber == task.SequenceNumber && certificate is not null;
            return new ExtensionGoalState(
                e.Name, e.Publisher, e.Type, e.TypeHandlerVersion, e.SequenceNumber,
                e.PublicSettingsJson is null ? null : JsonSerializer.Deserialize<SnapshotPublicSettings>(e.PublicSettingsJson),
                isSnapshot ? ProtectedSettingsCms.Encrypt(ProtectedSettings(vm, task!), certificate!) : null,
                isSnapshot ? certificate!.Thumbprint : null);
        }).ToList();
        var fault = vm.AgentFaultJson is null ? null : JsonSerializer.Deserialize<AgentFault>(vm.AgentFaultJson);
        return new AgentGoalState(incarnation, vm.VmId.ToString(), extensions, fault);
    }

    private SnapshotProtectedSettings ProtectedSettings(VirtualMachine vm, AgentTask task) => new(
        // Selective disk backup: the extension snapshots exactly the disks it is handed, so the others are never touched.
        ObjectStr.Encode(DiskExclusion.Included(vm.Disks, d => d.Lun, task.DiskExclusionJson).OrderBy(d => d.Lun)
            .Select(d => storage.ReadWriteSas(d.BlobContainer, d.BlobName).ToString())),
        storage.ReadWriteSas(task.LogsContainer, LogsBlobName(vm.Name)).ToString(),
        storage.ReadWriteSas(task.LogsContainer, StatusBlobName(vm.Name)).ToString());

    /// <summary>The VM's incarnation now; null when the VM is gone.</summary>
    public Task<long?> IncarnationAsync(long vmId, CancellationToken ct) => Incarnation.For(db)(db, vmId, ct);

    // Compiled: every long-poll reads it before its hold (issue 22).
    private static readonly CompiledQuery<Func<BackupDbContext, long, CancellationToken, Task<long?>>> Incarnation = new(() =>
        EF.CompileAsyncQuery((BackupDbContext db, long vmId, CancellationToken ct) => db.VirtualMachines.Where(v => v.Id == vmId).Select(v => (long?)v.Incarnation).FirstOrDefault()));
}
