using System.Diagnostics;
using BackupControlPlane.Agent;

namespace BackupControlPlane.Benchmarks.Harness;

/// <summary>
/// The agents' RSA-2048 keys, kept across runs so a 10,000-agent run does not spend most of an hour of CPU making them
/// (issue 22). A pool of keys (<c>DIR/_pool/vm{i}/agent-key.pem</c>, made by <c>keys --vms N</c> at the lowest CPU
/// priority, as the fleet test's FleetKeys does) is copied into each scenario's folders (<c>DIR/RESOURCEGROUP/VMNAME</c>,
/// the layout <see cref="AgentFleetOptions.KeyDirectory"/> expects): the scenarios' VM names are stable, so after the
/// first run the agents find their key and certificate and only register. A key missing from the pool is made by the
/// agent itself, as before. DIR: <c>--key-dir</c>, else <c>BCP_BENCH_AGENT_KEYS</c>, else
/// <c>~/.cache/BackupControlPlane/bench-agent-keys</c>.
/// </summary>
public static class BenchAgentKeys
{
    public static string Directory(Options o) => o.Args.SkipWhile(a => a != "--key-dir").Skip(1).FirstOrDefault()
        ?? (Environment.GetEnvironmentVariable("BCP_BENCH_AGENT_KEYS") is { Length: > 0 } env ? env : Path.Combine(
            Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } cache ? cache : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"),
            "BackupControlPlane", "bench-agent-keys"));

    private static string PoolKey(string dir, int i) => Path.Combine(dir, "_pool", $"vm{i}", AgentKeys.KeyFile);

    /// <summary>
    /// <c>keys --vms N</c>: makes the pool's missing keys with <c>nice -n 19 openssl genpkey</c>, one process per core
    /// (each key written beside its place and renamed, so a reader never sees half a key), and reports how long it took.
    /// </summary>
    public static async Task<int> MakeAsync(Options o)
    {
        var dir = Directory(o);
        var n = o.Vms ?? 10_000;
        var missing = Enumerable.Range(0, n).Where(i => !File.Exists(PoolKey(dir, i))).ToList();
        Console.WriteLine($"{n - missing.Count} of {n} keys already in {dir}; making {missing.Count} at nice 19, {Environment.ProcessorCount} at a time...");
        if (missing.Count == 0) return 0;
        var clock = Stopwatch.StartNew();
        using var maker = AgentKeys.StartMakingAhead([.. missing.Select(i => Path.GetDirectoryName(PoolKey(dir, i))!)], Environment.ProcessorCount)
            ?? throw new InvalidOperationException("nice, xargs or sh could not be started to make the keys.");
        await maker.WaitForExitAsync();
        var made = missing.Count(i => File.Exists(PoolKey(dir, i)));
        Console.WriteLine($"made {made} keys in {clock.Elapsed.TotalSeconds:0} s ({clock.Elapsed.TotalMilliseconds / Math.Max(1, made):0} ms each, wall; load average {Machine.Describe()["loadAverage1m"]})");
        return maker.ExitCode == 0 && made == missing.Count ? 0 : 1;
    }

    /// <summary>
    /// Gives VM i of <paramref name="vmNames"/> in <paramref name="resourceGroup"/> pool key i, unless its folder already
    /// has a key (kept from an earlier run, with its certificate). Returns the key folder for the fleet and how many VMs
    /// have a key (the rest make theirs at start).
    /// </summary>
    public static (string Directory, int WithKey) Place(Options o, string resourceGroup, IReadOnlyList<string> vmNames)
    {
        var dir = Directory(o);
        var withKey = 0;
        for (var i = 0; i < vmNames.Count; i++)
        {
            var target = Path.Combine(dir, resourceGroup, vmNames[i], AgentKeys.KeyFile);
            if (!File.Exists(target) && File.Exists(PoolKey(dir, i)))
            {
                System.IO.Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(PoolKey(dir, i), target + ".tmp", overwrite: true);
                File.Move(target + ".tmp", target);
            }
            if (File.Exists(target)) withKey++;
        }
        return (dir, withKey);
    }

    /// <summary>
    /// After the fleet has started: puts the keys its agents had to make into the pool, so the other scenario (and the
    /// other database's round) finds them too instead of making its own.
    /// </summary>
    public static int Harvest(Options o, string resourceGroup, IReadOnlyList<string> vmNames)
    {
        var dir = Directory(o);
        var added = 0;
        for (var i = 0; i < vmNames.Count; i++)
        {
            var made = Path.Combine(dir, resourceGroup, vmNames[i], AgentKeys.KeyFile);
            var pool = PoolKey(dir, i);
            if (File.Exists(pool) || !File.Exists(made)) continue;
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(pool)!);
            // Written beside and renamed, as the key maker does (it may be making this very key at nice 19 right now).
            File.Copy(made, pool + ".h.tmp", overwrite: true);
            File.Move(pool + ".h.tmp", pool, overwrite: true);
            added++;
        }
        return added;
    }
}
