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
