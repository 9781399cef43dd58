using BackupControlPlane.Api.Arm;

namespace BackupControlPlane.Api.Features.Restore;

/// <summary>Azure's restore refusals that have a documented code, verbatim (azure-docs backup-azure-vms-troubleshoot.md, its "Suppported" spelling included).</summary>
public static class RestoreRefusals
{
    public static ArmException CrossSubscriptionForOlr() => ArmException.BadRequest(
        "Operation failed as Cross Subscription Restore is not supported for Original Location Recovery.", "UserErrorCrossSubscriptionRestoreNotSuppportedForOLR");

    public static ArmException CrossSubscriptionFromSnapshot() => ArmException.BadRequest(
        "Operation failed as Cross Subscription Restore is not supported when restoring from a Snapshot recovery point.",
        "UserErrorCrossSubscriptionRestoreNotSuppportedFromSnapshot");
}
