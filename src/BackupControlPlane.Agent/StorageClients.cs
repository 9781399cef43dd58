using Azure.Core.Pipeline;
using Azure.Storage.Blobs;

namespace BackupControlPlane.Agent;

/// <summary>
/// The blob clients the agent writes through, all on one connection pool per process with a bound on the connections
/// to one storage endpoint. The SDK's shared default has none: a fleet process running 10,000 agents opened a
/// connection per concurrent snapshot, and with the service's own and Azurite's ends of them the machine ran out of
/// file descriptors ("Too many open files in system") mid-round. Requests beyond the bound wait for a free connection,
/// which costs nothing measurable against one Azurite that serves them one at a time anyway.
/// </summary>
public static class StorageClients
{
    /// <summary>Connections to one storage endpoint per agent process (a real VM's agent uses a handful).</summary>
    public const int MaxConnectionsPerEndpoint = 64;

    private static readonly BlobClientOptions Options = new()
    {
        Transport = new HttpClientTransport(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = MaxConnectionsPerEndpoint,
            UseCookies = false, // as the SDK's own default handler
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        }),
    };

    public static BlobClient Blob(Uri sasUri) => new(sasUri, Options);

    public static BlobClient Blob(string sasUri) => Blob(new Uri(sasUri));
}
