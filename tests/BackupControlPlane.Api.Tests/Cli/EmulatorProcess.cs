using BackupControlPlane.Api.Tests.Infrastructure;
using BackupControlPlane.Api.Infrastructure;
using BackupControlPlane.Api.Tests.Scale;

namespace BackupControlPlane.Api.Tests.Cli;

/// <summary>
/// The emulator as a real, separate process (`dotnet BackupControlPlane.Api.dll`), as a user runs it: its own data
/// folder, HTTP and HTTPS on free ports, the tests' shared Azurite, the demo agent fleet on. The process itself is a
/// <see cref="ClusterNode"/> (killed on dispose and when the test host exits); this adds the folder and HTTPS.
/// </summary>
public sealed class EmulatorProcess : IAsyncDisposable
{
    private readonly ClusterNode _node;

    private EmulatorProcess(ClusterNode node, string dataDirectory, Uri https)
    {
        _node = node;
        DataDirectory = dataDirectory;
        HttpsBase = https;
    }

    public string DataDirectory { get; }
    /// <summary>Plain HTTP: the token endpoint az's managed-identity login calls, and the local-only emulator routes.</summary>
    public Uri HttpBase => _node.BaseAddress;
    /// <summary>HTTPS with the emulator's own CA: what az talks ARM to (azure-core sends bearer tokens over TLS only).</summary>
    public Uri HttpsBase { get; }
    public string CaBundle => Path.Combine(DataDirectory, "tls", "ca.pem");

    public string Log => _node.Log;

    public static async Task<EmulatorProcess> StartAsync(string storageConnectionString, TimeSpan readyTimeout)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "bcp-azcli-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dataDirectory);
        var ports = FreePorts.Take(2);
        var http = new Uri($"http://127.0.0.1:{ports[0]}");
        var https = new Uri($"https://127.0.0.1:{ports[1]}");
        // Configuration on the command line, the highest-precedence source, so nothing in the environment overrides it.
        var node = await ClusterNode.StartAsync("az-cli", http, new Dictionary<string, string>
        {
            // Both addresses (the later --Urls wins over the node's own).
            ["Urls"] = $"{http.GetLeftPart(UriPartial.Authority)};{https.GetLeftPart(UriPartial.Authority)}",
            ["Emulator:DataDirectory"] = dataDirectory,
            ["Storage:ConnectionString"] = storageConnectionString,
            ["Storage:StartAzurite"] = "false",
            ["DemoFleet:Enabled"] = "true",
            ["Emulator:GoalStateLongPoll"] = "00:00:05",
            // Only api-versions real clients send: proves the emulator's list covers everything this az sends.
            ["Emulator:StrictApiVersions"] = "true",
            // Recovery points reach the secondary region (cross-region restore) as soon as their vault copy is done.
            ["Emulator:CrossRegionReplicationDelay"] = "00:00:00",
        }, readyTimeout);
        return new EmulatorProcess(node, dataDirectory, https);
    }

    public async ValueTask DisposeAsync()
    {
        await _node.DisposeAsync();
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
