using BackupControlPlane.Api.Data;

namespace BackupControlPlane.Api.Features.Scheduling;

/// <summary>
/// What a policy's slot job asks of the backups slice: start the slot's backups. Scheduling sits below Backups and
/// knows it only through this (Backups' <c>BackupStarter</c> implements it), so the two do not depend on each other.
/// </summary>
public interface ISlotBackups
{
    Task<IReadOnlyList<BackupJob>> StartScheduledBackupsAsync(BackupPolicy policy, DateTimeOffset slot, CancellationToken ct);
}
