using BackupControlPlane.Agent;
using Microsoft.Extensions.Logging;

// Usage:
//   BackupControlPlane.Agent fleet --api http://127.0.0.1:5080           one agent per emulated VM, discovered through the API
//   BackupControlPlane.Agent agent --api http://127.0.0.1:5080 --key K   the agent of one VM (its provisioning secret, from GET /emulator/agents)
var mode = args.FirstOrDefault() ?? "fleet";
string? Arg(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
var api = Arg("--api") ?? Environment.GetEnvironmentVariable("BACKUP_API") ?? "http://127.0.0.1:5080";

using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));
using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue }) { BaseAddress = new Uri(api), Timeout = TimeSpan.FromMinutes(6) };

switch (mode)
{
    case "fleet":
        await new AgentFleet(http, loggers).RunAsync(cts.Token);
        return 0;
    case "agent" when Arg("--key") is { } key:
        await new VmAgent(http, key, loggers.CreateLogger("Agent")).RunAsync(cts.Token);
        return 0;
    default:
        Console.Error.WriteLine("usage: BackupControlPlane.Agent fleet --api URL | agent --api URL --key KEY");
        return 2;
}
