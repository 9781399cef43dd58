namespace BackupControlPlane.Benchmarks.Harness;

/// <summary>
/// Where the machine's CPU went during one wrk run: the server's, wrk's (this harness's waited-for children) and
/// everyone else's (the whole machine's busy time less those two and this harness). On a shared 2-core machine a ratio
/// is only as good as its two measurements' conditions: a route measured while another session compiles gets a core
/// less than the ceiling measured a minute earlier, and its ratio says so only if the run records it (issue 22: GET
/// protectedItem 0.395 in one run, 0.53 in another). The server's CPU per request is the figure load does not move.
/// </summary>
public sealed class LoadProbe
{
    private readonly int _serverPid;
    private readonly double _server, _children, _self, _machine;
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

    private LoadProbe(int serverPid)
    {
        _serverPid = serverPid;
        (_server, _children, _self, _machine) = Sample(serverPid);
    }

    public static LoadProbe Start(int serverPid) => new(serverPid);

    private static (double Server, double Children, double Self, double Machine) Sample(int serverPid)
    {
        var self = Environment.ProcessId;
        var all = Machine.CpuSeconds(self, withExitedChildren: true);
        var own = Machine.CpuSeconds(self);
        return (Machine.CpuSeconds(serverPid), all - own, own, Machine.MachineBusyCpuSeconds());
    }

    /// <summary>serverCpuUsPerRequest, wrkCpuShare, otherCpuShare (shares of all cores' time during the run).</summary>
    public Dictionary<string, double> Stop(long requests)
    {
        var (server, children, self, machine) = Sample(_serverPid);
        var capacity = _clock.Elapsed.TotalSeconds * Environment.ProcessorCount;
        var serverCpu = server - _server;
        var wrkCpu = children - _children;
        var other = machine - _machine - serverCpu - wrkCpu - (self - _self);
        return new()
        {
            ["serverCpuUsPerRequest"] = requests > 0 ? serverCpu / requests * 1e6 : double.NaN,
            ["serverCpuShare"] = serverCpu / capacity,
            ["wrkCpuShare"] = wrkCpu / capacity,
            // Other sessions' builds and tests; 0.5 on 2 cores is a whole core the measurement did not have.
            ["otherCpuShare"] = Math.Max(0, other) / capacity,
        };
    }
}

/// <summary>
/// CPU used by a .NET process's tiered-compilation worker (the thread that recompiles hot methods with full
/// optimisation, ".NET Tiered Com…" in /proc): while it is busy, the code being measured is not yet the code that will
/// run, and the measured rate is still climbing (GET protectedItem: 2.1k, 3.0k, 10k, 20k, 23k, 27k req/s in consecutive
/// 6-second runs on a busy machine). A worker that exits between two samples is missed: the warm-up that reads this also
/// asks for a steady CPU per request.
/// </summary>
public static class TieredJit
{
    public static Dictionary<string, double> Sample(int pid)
    {
        var threads = new Dictionary<string, double>();
        try
        {
            foreach (var task in Directory.GetDirectories($"/proc/{pid}/task"))
            {
                try
                {
                    if (!File.ReadAllText(Path.Combine(task, "comm")).StartsWith(".NET Tiered", StringComparison.Ordinal)) continue;
                    var stat = File.ReadAllText(Path.Combine(task, "stat"));
                    var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    threads[Path.GetFileName(task)] = (long.Parse(f[11]) + long.Parse(f[12])) / 100.0;
                }
                catch (IOException) { } // the thread ended meanwhile
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return threads;
    }

    /// <summary>CPU seconds the worker(s) used since <paramref name="before"/>.</summary>
    public static double Since(int pid, Dictionary<string, double> before) =>
        Sample(pid).Sum(t => t.Value - before.GetValueOrDefault(t.Key));
}
