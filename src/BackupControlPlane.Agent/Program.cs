using System.CommandLine;
using System.Net.Http.Json;
using BackupControlPlane.Agent;
using BackupControlPlane.Contracts;
using Microsoft.Extensions.Logging;

// Exit codes: 0 stopped (Ctrl+C), 1 unexpected error, 2 bad arguments, 3 the VM or its provisioning secret was refused,
// 70 the agent crashed on purpose (--fault crash): restart it with the same --state-dir to see the redelivery.
const int Refused = 3, Crashed = 70;

var api = new Option<string>("--api") { Description = "Base address of the emulator (env BACKUP_API).", Recursive = true,
    DefaultValueFactory = _ => Environment.GetEnvironmentVariable("BACKUP_API") ?? "http://127.0.0.1:5080" };
api.Validators.Add(r =>
{
    if (!Uri.TryCreate(r.GetValueOrDefault<string>(), UriKind.Absolute, out var u) || u.Scheme is not ("http" or "https"))
        r.AddError($"--api must be an http:// or https:// address, not '{r.GetValueOrDefault<string>()}'.");
});
var verbose = new Option<bool>("--verbose", "-v") { Description = "Log every request and poll.", Recursive = true };
var hold = new Option<int?>("--hold") { Description = "Seconds the server may hold each goal-state poll (server default when omitted).", Recursive = true };
var stateDir = new Option<DirectoryInfo?>("--state-dir") { Description = "Folder for task state and the agent's key and certificate (fleet: one subfolder per VM). A restarted agent recognises redelivered tasks from it and keeps its key. In memory when omitted.", Recursive = true };
var configDir = new Option<DirectoryInfo?>("--config-dir") { Description = "The extension's configuration folder (/etc/azure on Azure) holding VMSnapshotScriptPluginConfig.json for pre/post scripts (fleet: DIR/RESOURCEGROUP/VMNAME for each VM). None when omitted.", Recursive = true };
var faultHelp = $"Inject a fault: {string.Join(", ", ["silent", "late:SECONDS", "fail:CODE", "crash", "offline:SECONDS", .. AgentFault.Modes.Skip(5)])}. " +
    "A fault set at run time (PUT /emulator/agents/{vmId}/fault) wins over this flag.";

var key = new Option<string?>("--key") { Description = "The VM's provisioning secret (GET /emulator/agents lists them)." };
var vm = new Option<string?>("--vm") { Description = "The VM's name; its provisioning secret is fetched from the emulator (local callers only)." };
var fault = new Option<string?>("--fault") { Description = faultHelp };
var run = new Command("run", "Run the guest agent of one VM: long-poll its goal state, snapshot its disks, report.") { key, vm, fault };
run.Aliases.Add("agent");

var fleetFaults = new Option<string[]>("--fault") { Description = faultHelp + " Either SPEC for every VM or VMNAME=SPEC for one (repeatable).", AllowMultipleArgumentsPerToken = false };
var keyDir = new Option<DirectoryInfo?>("--key-dir") { Description = "Folder keeping each VM's key and certificate as DIR/RESOURCEGROUP/VMNAME, reused by later runs for VMs of the same name (RSA-2048 keys take tens to hundreds of ms each to make). In the VM's --state-dir subfolder, or in memory, when omitted." };
var fleet = new Command("fleet", "Run one guest agent per emulated VM in this process, each with its own identity and HTTP long-poll; new VMs are picked up as they appear.") { fleetFaults, keyDir };

var root = new RootCommand("""
    BackupControlPlane guest agent: the VM side of the emulator. Polls the control plane for its goal state, decrypts
    the VMSnapshot command's protected settings with its own certificate, snapshots each disk blob through its SAS URI,
    writes the status and log blobs, and reports, as Azure's VMSnapshot extension does.
    Exit codes: 0 stopped, 1 unexpected error, 2 bad arguments, 3 VM or secret refused, 70 crashed (--fault crash).
    """) { run, fleet };
root.Options.Add(api);
root.Options.Add(verbose);
root.Options.Add(hold);
root.Options.Add(stateDir);
root.Options.Add(configDir);

run.SetAction(async (result, ct) =>
{
    using var env = Env.Create(result, api, verbose);
    var parsedFault = TryParseFault(result.GetValue(fault), out var error);
    if (error is not null) return Usage(error);
    var secret = result.GetValue(key);
    if (secret is null && result.GetValue(vm) is { } name)
    {
        var members = await env.Http.GetFromJsonAsync<List<AgentFleetMember>>(AgentRoutes.Fleet, ct) ?? [];
        secret = members.FirstOrDefault(m => m.VmResourceId.EndsWith("/virtualMachines/" + name, StringComparison.OrdinalIgnoreCase))?.ProvisioningSecret;
        if (secret is null) return Fail(Refused, $"No emulated VM is named '{name}'.");
    }
    if (secret is null) return Usage("Give --key SECRET or --vm NAME.");
    var agent = new VmAgent(env.Http, secret, env.Loggers.CreateLogger("Agent"), new VmAgentOptions
    {
        Hold = result.GetValue(hold) is { } h ? TimeSpan.FromSeconds(h) : null,
        State = result.GetValue(stateDir) is { } d ? new DirectoryAgentStateStore(d.FullName) : null,
        Keys = result.GetValue(stateDir) is { } k ? new AgentKeys(k.FullName) : null,
        Fault = parsedFault, ConfigDirectory = result.GetValue(configDir)?.FullName,
    });
    env.Loggers.CreateLogger("Agent").LogInformation("Agent {Version} polling {Api}{Fault}", VmAgent.Version, env.Http.BaseAddress,
        parsedFault is null ? "" : $" with fault {parsedFault}");
    try
    {
        await agent.RunAsync(ct);
        return 0;
    }
    catch (AgentRegistrationRefusedException e) { return Fail(Refused, e.Message); }
    catch (AgentCrashedException e) { return Fail(Crashed, e.Message + " Restart with the same --state-dir to answer its redelivery."); }
});

fleet.SetAction(async (result, ct) =>
{
    using var env = Env.Create(result, api, verbose);
    AgentFault? all = null;
    var byVm = new Dictionary<string, AgentFault>(StringComparer.OrdinalIgnoreCase);
    foreach (var spec in result.GetValue(fleetFaults) ?? [])
    {
        var (vmName, text) = spec.Split('=', 2) is [var n, var t] ? (n, t) : (null, spec);
        var parsed = TryParseFault(text, out var error);
        if (error is not null) return Usage(error);
        if (vmName is null) all = parsed; else byVm[vmName] = parsed!;
    }
    var agents = new AgentFleet(env.Http, env.Loggers, new AgentFleetOptions
    {
        Hold = result.GetValue(hold) is { } h ? TimeSpan.FromSeconds(h) : null,
        StateDirectory = result.GetValue(stateDir)?.FullName, KeyDirectory = result.GetValue(keyDir)?.FullName, Fault = all, FaultsByVm = byVm, ConfigDirectory = result.GetValue(configDir)?.FullName,
    });
    env.Loggers.CreateLogger("Fleet").LogInformation("Fleet polling {Api}; one agent per VM listed at {Route}", env.Http.BaseAddress, AgentRoutes.Fleet);
    await agents.RunAsync(ct);
    return 0;
});

var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    foreach (var e in parsed.Errors) Console.Error.WriteLine(e.Message);
    return Usage("Invalid arguments.");
}
return await parsed.InvokeAsync();

static AgentFault? TryParseFault(string? text, out string? error)
{
    error = null;
    if (text is null) return null;
    try { return AgentFault.Parse(text); }
    catch (FormatException e) { error = $"--fault {text}: {e.Message}"; return null; }
}

static int Usage(string message)
{
    Console.Error.WriteLine(message + " (see --help)");
    return 2;
}

static int Fail(int code, string message)
{
    Console.Error.WriteLine(message);
    return code;
}

/// <summary>The HTTP client and console logging every command shares.</summary>
sealed class Env(HttpClient http, ILoggerFactory loggers) : IDisposable
{
    public HttpClient Http { get; } = http;
    public ILoggerFactory Loggers { get; } = loggers;

    public static Env Create(ParseResult result, Option<string> api, Option<bool> verbose) => new(
        new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue }) { BaseAddress = new Uri(result.GetValue(api)!), Timeout = TimeSpan.FromMinutes(6) },
        LoggerFactory.Create(b => b.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; })
            .SetMinimumLevel(result.GetValue(verbose) ? LogLevel.Debug : LogLevel.Information)
            .AddFilter("System.Net.Http", LogLevel.Warning)));

    public void Dispose()
    {
        Http.Dispose();
        Loggers.Dispose();
    }
}
