using BackupControlPlane.Benchmarks.Harness;
using BackupControlPlane.Benchmarks.Scenarios;

// Usage (see docs/performance.md):
//   dotnet run -c Release --project tests/BackupControlPlane.Benchmarks -- api      [--duration 5] [--connections 64] [--threads 2] [--vms 4000] [--routes all|enable|reads]
//   dotnet run -c Release --project tests/BackupControlPlane.Benchmarks -- round    [--vms 100] [--db sqlite|postgres] [--nodes 1|2] [--with-sqlite]
//   dotnet run -c Release --project tests/BackupControlPlane.Benchmarks -- dispatch [--vms 1000]
//   dotnet run -c Release --project tests/BackupControlPlane.Benchmarks -- startup
//   dotnet run -c Release --project tests/BackupControlPlane.Benchmarks -- latency  [--vms 50]  (repetitions of each operation)
//   dotnet run -c Release --project tests/BackupControlPlane.Benchmarks -- keys     [--vms 10000] [--key-dir DIR]  (the agents' keys made ahead, nice 19)
//   dotnet run -c Release --project tests/BackupControlPlane.Benchmarks -- --smoke  (every scenario, tiny, seconds; for CI)
//   (the smoke round runs on SQLite and starts no PostgreSQL: a cluster and two nodes add ~30 s on a busy 2-core machine;
//    `round --smoke --db postgres --nodes 2` smokes that path alone)
// dispatch and round reuse the agents' keys across runs (--key-dir DIR, BCP_BENCH_AGENT_KEYS, or ~/.cache/BackupControlPlane/bench-agent-keys).
// Options: --out DIR (default tests/BackupControlPlane.Benchmarks/results; a temp folder with --smoke).
// round: --db postgres runs the service on a throw-away PostgreSQL cluster (Debian's binaries, /usr/lib/postgresql/*/bin;
// or BCP_BENCH_POSTGRES=<connection string>), --nodes 2 as two service processes on it (agents' requests spread over
// both, ARM calls to the first), --with-sqlite also runs the SQLite round of the same N first for a side-by-side ratio.
if (args.FirstOrDefault() == "ceiling-server") return await CeilingServer.RunAsync(args);

var options = Options.Parse(args);
// Not a measurement: makes the agents' keys ahead (nice 19), for dispatch and round to reuse (BenchAgentKeys).
if (args.FirstOrDefault() == "keys") return await BenchAgentKeys.MakeAsync(options);
var scenarios = new Dictionary<string, Func<BenchContext, Report, Task>>
{
    ["api"] = ApiScenario.RunAsync,
    ["round"] = RoundScenario.RunAsync,
    ["dispatch"] = DispatchScenario.RunAsync,
    ["startup"] = StartupScenario.RunAsync,
    ["latency"] = LatencyScenario.RunAsync,
};
var chosen = args.Where(scenarios.ContainsKey).ToList();
if (chosen.Count == 0 && options.Smoke) chosen = [.. scenarios.Keys];
if (chosen.Count == 0)
{
    Console.Error.WriteLine($"usage: BackupControlPlane.Benchmarks <{string.Join('|', scenarios.Keys)}> [--smoke] [--vms N] [--duration S] [--connections C] [--threads T] [--out DIR] [--db sqlite|postgres] [--nodes 1|2] [--with-sqlite] [--routes all|enable|reads]");
    return 2;
}
if (!Wrk.Available && chosen.Contains("api") && !options.Smoke) { Console.Error.WriteLine($"The api scenario needs wrk at {Wrk.Path} (apt-get install wrk)."); return 2; }
if (options.Db == "postgres" && !BenchPostgres.Available) { Console.Error.WriteLine("--db postgres needs PostgreSQL's server binaries under /usr/lib/postgresql (apt-get install postgresql) or BCP_BENCH_POSTGRES."); return 2; }

Console.WriteLine($"BackupControlPlane benchmarks ({ChildServer.Configuration}{(options.Smoke ? ", smoke: tiny sizes, numbers mean nothing" : "")}) on {Machine.Describe().ToJsonString()}");
// The smoke run shares one Azurite, service and ceiling server across scenarios (process starts dominate it).
var shared = options.Smoke ? new BenchContext(options) : null;
try
{
    foreach (var name in chosen)
    {
        Console.WriteLine($"\n== {name}");
        var report = new Report(name, args);
        report.Setting("configuration", ChildServer.Configuration);
        report.Setting("smoke", options.Smoke);
        var own = shared is null ? new BenchContext(options) : null;
        try { await scenarios[name](shared ?? own!, report); }
        finally { if (own is not null) await own.DisposeAsync(); }
        Console.WriteLine($"  -> {report.Write(options.OutDir)}");
    }
}
finally
{
    if (shared is not null) await shared.DisposeAsync();
}
return 0;
