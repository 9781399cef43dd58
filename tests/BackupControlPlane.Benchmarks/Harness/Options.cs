using System.Globalization;

namespace BackupControlPlane.Benchmarks.Harness;

/// <summary>
/// Command-line options shared by the scenarios; sizes default to modest values for a shared 2-core machine.
/// round and api: --db sqlite|postgres (the service's database; postgres starts a throw-away cluster); round only:
/// --nodes 1|2 (service processes on that one database; postgres only), --with-sqlite (postgres: the SQLite round of the same N
/// first, in the same run, for a side-by-side ratio). api only: --routes enable (only the enable PUT and its ceiling, the
/// one-row insert: a short run for work on writes), --routes reads (only the GETs, each between two runs of the bare GET,
/// and the same-size bare GET: a short run for work on reads).
/// </summary>
public sealed record Options(string[] Args, bool Smoke, int Threads, int Connections, int Seconds, int? Vms, string OutDir,
    string Db = "sqlite", int Nodes = 1, bool WithSqlite = false, string Routes = "all")
{
    public static Options Parse(string[] args)
    {
        string? Arg(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        int? Int(string name) => Arg(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : null;
        var smoke = args.Contains("--smoke");
        var outDir = Arg("--out") ?? (smoke
            ? Path.Combine(Path.GetTempPath(), "bcp-bench-smoke")
            : Path.Combine(ChildServer.RepoRoot, "tests", "BackupControlPlane.Benchmarks", "results"));
        var db = (Arg("--db") ?? "sqlite").ToLowerInvariant() switch
        {
            "sqlite" => "sqlite",
            "postgres" or "postgresql" or "pg" => "postgres",
            var other => throw new ArgumentException($"--db {other}: sqlite or postgres."),
        };
        var nodes = Int("--nodes") ?? 1;
        if (nodes is < 1 or > 2) throw new ArgumentException($"--nodes {nodes}: 1 or 2.");
        if (nodes > 1 && db != "postgres") throw new ArgumentException("--nodes 2 needs --db postgres (SQLite is one node's file).");
        var routes = (Arg("--routes") ?? "all").ToLowerInvariant();
        if (routes is not ("all" or "enable" or "reads")) throw new ArgumentException($"--routes {routes}: all, enable or reads.");
        return new Options(args, smoke, Int("--threads") ?? 2, Int("--connections") ?? 64, Int("--duration") ?? 5, Int("--vms"), outDir,
            db, nodes, args.Contains("--with-sqlite"), routes);
    }
}
