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
        // One shell loop; each key written beside its place and renamed, so a reader never sees half a key.
        var script = string.Join('\n', missing.Select(v =>
        {
            var dir = Path.Combine(Directory, v.Group, v.Vm);
            return $"mkdir -p '{dir}' && openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out '{dir}/key.tmp' 2>/dev/null && chmod 600 '{dir}/key.tmp' && mv '{dir}/key.tmp' '{dir}/{AgentKeys.KeyFile}'";
        }));
        try
        {
            // The script on standard input: a thousand commands exceed what one argument may hold.
            var start = new ProcessStartInfo("nice", ["-n", "19", "sh", "-s"]) { UseShellExecute = false, RedirectStandardInput = true };
            _maker = Process.Start(start)!;
            _maker.StandardInput.Write(script);
            _maker.StandardInput.Close();
            AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No nice or sh: the agents make their keys themselves.
        }
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
