namespace BackupControlPlane.Api.Data;

/// <summary>
/// The archive tier of a recovery point (<see cref="RecoveryPoint.ArchivedRpStatus"/>). Where its data is: Standard
/// (HardenedRP valid) in the vault's container; Valid (archived) only in the vault's archive container
/// (<see cref="Infrastructure.BlobStorage.ArchiveContainer"/>, same blob names); Rehydrated in both, the vault container's
/// copy living until <see cref="RecoveryPoint.RehydratedRpExpiryTime"/>.
/// </summary>
public static class ArchiveStatuses
{
    public const string Valid = "Valid";
    public const string Rehydrated = "Rehydrated";
}

public sealed partial class RecoveryPoint
{
    /// <summary>The archive tier (ArchivedRP): null, <see cref="ArchiveStatuses.Valid"/> (moved) or <see cref="ArchiveStatuses.Rehydrated"/>.</summary>
    public string? ArchivedRpStatus { get; set; }
    /// <summary>When a rehydrated archive point's Standard-tier copy goes again (the restore request's rehydration duration).</summary>
    public DateTimeOffset? RehydratedRpExpiryTime { get; set; }
}

public sealed partial class BackupPolicy
{
    /// <summary>The policy's tieringPolicy (smart tiering) as Azure's JSON; null when none was given.</summary>
    public string? TieringPolicyJson { get; set; }
}

public static partial class JobOperations
{
    /// <summary>A recovery point moved between tiers (VaultStandard to VaultArchive).</summary>
    public const string MoveRecoveryPoint = "MoveRecoveryPoint";
}
