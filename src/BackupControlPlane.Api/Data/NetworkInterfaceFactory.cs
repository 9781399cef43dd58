namespace BackupControlPlane.Api.Data;

/// <summary>
/// Makes a NIC for a slice that does not own networking (Restore's "restore as a new VM"): implemented by the Network
/// slice, which owns address allocation, so the using slice depends on this interface only.
/// </summary>
public interface INetworkInterfaceFactory
{
    /// <summary>
    /// A new NIC named <paramref name="name"/> with one primary, dynamically addressed IP configuration in
    /// <paramref name="subnet"/>: added to the context, saved by the caller. Refuses a full subnet (400 SubnetIsFull).
    /// </summary>
    Task<NetworkInterface> AddAsync(string subscriptionId, string resourceGroup, string name, string location, Subnet subnet, CancellationToken ct);
}
