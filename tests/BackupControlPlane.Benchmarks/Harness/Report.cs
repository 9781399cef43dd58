using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace BackupControlPlane.Benchmarks.Harness;

/// <summary>One measured line: an absolute figure and, where it has one, the ceiling it is compared with in this run.</summary>
public sealed record Result(string Name, double Value, string Unit, double? Ceiling = null, string? CeilingName = null,
    double? Target = null, string? Note = null, Dictionary<string, double>? Extra = null)
{
    public double? Ratio => Ceiling is > 0 ? Value / Ceiling : null;
    public bool? TargetMet => Target is { } t && Ratio is { } r ? r >= t : null;
}

/// <summary>Prints the short table and writes the JSON file (machine, exact command, date, results).</summary>
public sealed class Report(string scenario, string[] args)
{
    private readonly List<Result> _results = [];
    private readonly JsonObject _settings = [];
    public DateTimeOffset Started { get; } = DateTimeOffset.UtcNow;

    public void Add(Result r)
    {
        _results.Add(r);
        Console.WriteLine($"  {r.Name,-44} {Fmt(r.Value),12} {r.Unit,-8} {(r.Ratio is { } x ? $"{x:0.000}× {r.CeilingName}" : "")}{(r.TargetMet is { } m ? (m ? "  (target met)" : "  (target NOT met)") : "")}");
    }

    public void Setting(string key, JsonNode? value) => _settings[key] = value;

    public static string Fmt(double v) => v >= 100 ? v.ToString("N0", CultureInfo.InvariantCulture) : v.ToString("0.###", CultureInfo.InvariantCulture);

    public string Write(string outDir)
    {
        Directory.CreateDirectory(outDir);
        var file = Path.Combine(outDir, $"{scenario}-{Started:yyyyMMdd-HHmmss}.json");
        var doc = new JsonObject
        {
            ["scenario"] = scenario,
            ["date"] = Started.ToString("o"),
            ["durationSeconds"] = Math.Round((DateTimeOffset.UtcNow - Started).TotalSeconds, 1),
            ["command"] = "dotnet run -c Release --project tests/BackupControlPlane.Benchmarks -- " + string.Join(' ', args),
            ["machine"] = Machine.Describe(),
            ["settings"] = _settings,
            ["results"] = new JsonArray(_results.Select(r => (JsonNode)new JsonObject
            {
                ["name"] = r.Name, ["value"] = Math.Round(r.Value, 3), ["unit"] = r.Unit,
                ["ceiling"] = r.Ceiling is { } c ? Math.Round(c, 3) : null, ["ceilingName"] = r.CeilingName,
                ["ratio"] = r.Ratio is { } x ? Math.Round(x, 4) : null, ["target"] = r.Target, ["targetMet"] = r.TargetMet,
                ["note"] = r.Note,
                ["extra"] = r.Extra is null ? null : new JsonObject(r.Extra.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)Math.Round(kv.Value, 3)))),
            }).ToArray()),
        };
        File.WriteAllText(file, doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return file;
    }
}

public static class Machine
{
    public static JsonObject Describe() => new()
    {
        ["cores"] = Environment.ProcessorCount,
        ["cpu"] = CpuModel(),
        ["memoryGiB"] = Math.Round(MemTotalKiB() / 1024.0 / 1024.0, 1),
        ["os"] = RuntimeInformation.OSDescription,
        ["dotnet"] = RuntimeInformation.FrameworkDescription,
        ["serverGC"] = System.Runtime.GCSettings.IsServerGC,
        // A shared machine: how busy it was when the run began (1-minute load average; 2 cores are saturated at 2).
        ["loadAverage1m"] = LoadAverage(),
    };

    private static double LoadAverage()
    {
        try { return double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture); }
        catch (Exception e) when (e is IOException or FormatException) { return double.NaN; }
    }

    private static string CpuModel()
    {
        try { return File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name"))?.Split(':', 2)[1].Trim() ?? "unknown"; }
        catch (IOException) { return "unknown"; }
    }

    private static long MemTotalKiB()
    {
        try { return long.Parse(File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal")).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]); }
        catch (Exception e) when (e is IOException or FormatException or InvalidOperationException) { return 0; }
    }

    /// <summary>CPU seconds (user + system) a process has used so far, from /proc (Linux); with its waited-for children's if asked.</summary>
    public static double CpuSeconds(int pid, bool withExitedChildren = false)
    {
        var f = StatFields(pid);
        if (f is null) return double.NaN;
        var ticks = long.Parse(f[11]) + long.Parse(f[12]) + (withExitedChildren ? long.Parse(f[13]) + long.Parse(f[14]) : 0);
        return ticks / 100.0; // USER_HZ is 100 on Linux
    }

    /// <summary>
    /// CPU seconds of a server and everything it forked (PostgreSQL: the postmaster, its backends and workers, and the
    /// backends that have exited, which the postmaster has waited for).
    /// </summary>
    public static double CpuSecondsWithChildren(int pid)
    {
        var total = CpuSeconds(pid, withExitedChildren: true);
        foreach (var dir in Directory.GetDirectories("/proc"))
            if (int.TryParse(Path.GetFileName(dir), out var child) && StatFields(child) is { } f && f[1] == pid.ToString())
                total += CpuSeconds(child);
        return total;
    }

    /// <summary>Busy CPU seconds of the whole machine so far (every core; /proc/stat), other users' work included.</summary>
    public static double MachineBusyCpuSeconds()
    {
        try
        {
            var f = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
            // user nice system idle iowait irq softirq steal ...: busy is all but idle and iowait.
            return (f.Take(8).Sum() - f[3] - f[4]) / 100.0;
        }
        catch (Exception e) when (e is IOException or FormatException) { return double.NaN; }
    }

    /// <summary>The fields of /proc/PID/stat after the command name (state is [0], ppid [1], utime [11], stime [12]).</summary>
    private static string[]? StatFields(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            return text[(text.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>Resident set size of a process, from /proc (Linux), in MiB.</summary>
    public static double RssMiB(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:"));
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
        }
        catch (Exception e) when (e is IOException or FormatException or InvalidOperationException) { return double.NaN; }
    }
}
