using System.Globalization;

namespace BackupControlPlane.Benchmarks.Harness;

/// <summary>Command-line options shared by the scenarios; sizes default to modest values for a shared 2-core machine.</summary>
public sealed record Options(string[] Args, bool Smoke, int Threads, int Connections, int Seconds, int? Vms, string OutDir)
{
    public static Options Parse(string[] args)
    {
        string? Arg(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        int? Int(string name) => Arg(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : null;
        var smoke = args.Contains("--smoke");
        var outDir = Arg("--out") ?? (smoke
            ? Path.Combine(Path.GetTempPath(), "bcp-bench-smoke")
            : Path.Combine(ChildServer.RepoRoot, "tests", "BackupControlPlane.Benchmarks", "results"));
        return new Options(args, smoke, Int("--threads") ?? 2, Int("--connections") ?? 64, Int("--duration") ?? 5, Int("--vms"), outDir);
    }
}
