using BackupControlPlane.Agent;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace BackupControlPlane.Api.Features.Emulator;

/// <summary>
/// The demo agent fleet: the agent program's fleet mode, run inside the service so one command brings everything up.
/// It still talks to the service over HTTP, exactly as an external agent would. It stops as soon as the service begins
/// to stop (ApplicationStopping), before the server stops listening: stopped later, its agents' requests would meet a
/// closed port and log connection errors for a service that is merely shutting down.
/// </summary>
public sealed class DemoFleetService(IServer server, IOptions<DemoFleetOptions> options, ILoggerFactory loggers, IHostApplicationLifetime lifetime,
    TransportClock transport, DataPaths paths) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lifetime.ApplicationStopping);
        var ct = stopping.Token;
        var started = new TaskCompletionSource();
        using var _ = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        try
        {
            await started.Task.WaitAsync(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return; // stopped before it started
        }
        var address = options.Value.ApiBaseAddress
            ?? server.Features.Get<IServerAddressesFeature>()?.Addresses
                // Plain http on purpose: agent routes keep their own authentication, and the fleet need not trust the emulator's CA.
                .OrderBy(a => a.StartsWith("https", StringComparison.OrdinalIgnoreCase)).FirstOrDefault()?.Replace("://+", "://127.0.0.1").Replace("://*", "://127.0.0.1").Replace("://[::]", "://127.0.0.1").Replace("://0.0.0.0", "://127.0.0.1");
        if (address is null) return;
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue }) { BaseAddress = new Uri(address), Timeout = TimeSpan.FromMinutes(6) };
        loggers.CreateLogger<DemoFleetService>().LogInformation("Demo agent fleet calling {Address}", address);
        // The agents' clock is the transport's: their back-off and injected delays are wire time, not emulated time.
        await new AgentFleet(http, loggers, new AgentFleetOptions
        {
            Time = transport.Time, ConfigDirectory = options.Value.ConfigDirectory ?? Path.Combine(paths.Root, "vm-config"),
            // Kept across service restarts, so a restart does not make every VM a new RSA key (tens to hundreds of ms of CPU each).
            KeyDirectory = options.Value.KeyDirectory ?? Path.Combine(paths.Root, "vm-keys"),
        }).RunAsync(ct);
    }
}
