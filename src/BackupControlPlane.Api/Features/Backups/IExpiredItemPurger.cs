namespace BackupControlPlane.Api.Features.Backups;

/// <summary>
/// The retention run's first step, deleting soft-deleted items whose retention is up with all their data. Deleting a
/// protected item is the protection slice's business (<c>Protection/ExpiredItemPurger</c> implements this); Backups sits
/// below Protection and knows it only through this interface.
/// </summary>
public interface IExpiredItemPurger
{
    /// <summary>Purges every item soft-deleted until <paramref name="now"/> or earlier; returns how many.</summary>
    Task<int> PurgeExpiredAsync(DateTimeOffset now, CancellationToken ct);
}
