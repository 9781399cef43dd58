using BackupControlPlane.Agent;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace BackupControlPlane.Api.Features.Emulator;

/// <summary>
/// The demo agent fleet: the agent program's fleet mode, run inside the service so one command brings everything up.
/// It still talks to the service over HTTP, exactly as an external agent would.
/// </summary>
public sealed class DemoFleetService(IServer server, IOptions<DemoFleetOptions> options, ILoggerFactory loggers, IHostApplicationLifetime lifetime) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        var started = new TaskCompletionSource();
        using var _ = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await started.Task.WaitAsync(ct);
        var address = options.Value.ApiBaseAddress
            ?? server.Features.Get<IServerAddressesFeature>()?.Addresses
                // Plain http on purpose: agent routes keep their own authentication, and the fleet need not trust the emulator's CA.
                .OrderBy(a => a.StartsWith("https", StringComparison.OrdinalIgnoreCase)).FirstOrDefault()?.Replace("://+", "://127.0.0.1").Replace("://*", "://127.0.0.1").Replace("://[::]", "://127.0.0.1").Replace("://0.0.0.0", "://127.0.0.1");
        if (address is null) return;
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue }) { BaseAddress = new Uri(address), Timeout = TimeSpan.FromMinutes(6) };
        loggers.CreateLogger<DemoFleetService>().LogInformation("Demo agent fleet calling {Address}", address);
        await new AgentFleet(http, loggers).RunAsync(ct);
    }
}
