using System.Net;
using System.Net.Sockets;

namespace BackupControlPlane.Api.Tests.Infrastructure;

/// <summary>
/// Several free loopback ports at once, all different: each is held by a listener until the last is picked. Two calls of
/// <c>AzuriteProcess.FreePort()</c> one after the other may return the same port (the first listener is closed before
/// the second asks), and a process told to listen on both then fails "address already in use".
/// </summary>
public static class FreePorts
{
    public static int[] Take(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        try
        {
            foreach (var listener in listeners) listener.Start();
            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            foreach (var listener in listeners) listener.Dispose();
        }
    }
}
