using System.Diagnostics;
using System.Runtime.CompilerServices;
using BackupControlPlane.Agent;

namespace BackupControlPlane.Api.Tests.Infrastructure;

/// <summary>
/// The VMs of the tests that run fleets of agents (the thousand-agent test, the crash test's 150) keep their keys in a
/// folder that outlives the run (<c>~/.cache</c>), as VMs keep their certificates (<see cref="AgentKeys"/>); the fleet
/// is told where with <c>AgentFleetOptions.KeyDirectory</c>.
/// Keys missing there are made when the test assembly loads, by <c>openssl genpkey</c> (RSA-2048, as the agent's own)
/// at the lowest CPU priority (nice 19): it uses the CPU the parallel tests leave idle and yields it to them, so the
/// fleet test, which runs last and alone, finds its VMs' keys made instead of spending minutes of a 2-core machine on
/// them. Any key still missing when the fleet starts is made by the agent, as always.
/// </summary>
public static class FleetKeys
{
    public const string ResourceGroup = "rg-fleet";
    public const int Vms = 1000;
    public const string CrashResourceGroup = "rg-crash";
    public const int CrashVms = 150;

    /// <summary>Every VM whose key is made ahead: resource group and name.</summary>
    private static IEnumerable<(string Group, string Vm)> All =>
        Enumerable.Range(0, CrashVms).Select(i => (CrashResourceGroup, VmName(i))).Concat(Enumerable.Range(0, Vms).Select(i => (ResourceGroup, VmName(i))));

    public static string Directory { get; } = Path.Combine(
        Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } cache ? cache : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"),
        "BackupControlPlane", "fleet-test-keys");

    private static Process? _maker;

    public static string VmName(int i) => $"vm{i}";

    [ModuleInitializer]
    internal static void StartMakingKeys()
    {
        var missing = All.Where(v => !File.Exists(Path.Combine(Directory, v.Group, v.Vm, AgentKeys.KeyFile))).ToList();
        if (missing.Count == 0) return;
        // One at a time: the parallel tests have the cores; this takes what they leave.
        _maker = AgentKeys.StartMakingAhead([.. missing.Select(v => Path.Combine(Directory, v.Group, v.Vm))], parallel: 1);
        if (_maker is not null) AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop();
    }

    /// <summary>Stops making keys (a fleet is starting: from now on its agents make what is missing).</summary>
    public static void Stop()
    {
        try
        {
            if (_maker is { HasExited: false }) _maker.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
    }
}
