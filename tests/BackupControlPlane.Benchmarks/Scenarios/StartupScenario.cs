using BackupControlPlane.Benchmarks.Harness;

namespace BackupControlPlane.Benchmarks.Scenarios;

/// <summary>
/// Issue 7 §4 (first half): process start to the first 200 from /readyz with Azurite already running and a fresh
/// data folder (migrations, keys and Hangfire's schema included), next to the bare Kestrel server's start to its first
/// 200 in the same run. Idle RSS is read after a short settle. Second half: N protected VMs (--vms, default 10,000)
/// written through the API, idle RSS of that process, then a fresh process on the same data folder: its start time
/// and idle RSS.
/// </summary>
public static class StartupScenario
{
    public static async Task RunAsync(BenchContext ctx, Report report)
    {
        var o = ctx.Options;
        var bare = new List<double>();
        var service = new List<double>();
        var rss = new List<double>();
        var stop = new List<double>();
        var bareStop = new List<double>();
        var azurite = await ctx.AzuriteAsync();
        if (o.Smoke)
        {
            // The smoke run's shared servers were started cold too; reuse their start times rather than start more.
            var s = await ctx.ServiceAsync();
            bare.Add((await ctx.CeilingAsync()).StartTime.TotalSeconds);
            service.Add(s.StartTime.TotalSeconds);
            rss.Add(s.RssMiB);
        }
        else
        {
            for (var i = 0; i < 3; i++)
            {
                await using (var c = await ChildServer.StartCeilingAsync())
                {
                    bare.Add(c.StartTime.TotalSeconds);
                    bareStop.Add((await c.TerminateAsync(TimeSpan.FromSeconds(30))).TotalSeconds);
                }
                await using var s = await ChildServer.StartServiceAsync(azurite.ConnectionString);
                service.Add(s.StartTime.TotalSeconds);
                await Task.Delay(TimeSpan.FromSeconds(2)); // let start-up work (Hangfire's first polls) settle before reading idle RSS
                rss.Add(s.RssMiB);
                stop.Add((await s.TerminateAsync(TimeSpan.FromSeconds(30))).TotalSeconds);
            }
        }
        report.Setting("runs", service.Count);
        report.Setting("note", "cold start with a fresh data folder; median of the runs; ratio = service start / bare Kestrel start");
        var median = Median(service);
        report.Add(new Result("ceiling: bare Kestrel start to first 200", Median(bare), "s"));
        report.Add(new Result("service start to /readyz 200", median, "s", Median(bare), "bare start",
            Note: $"target ≤ 1.5× bare start (issue 22): {(median <= 1.5 * Median(bare) ? "met" : "NOT met")}; < 5 s: {(median < 5 ? "met" : "NOT met")}", Extra: new() { ["min"] = service.Min(), ["max"] = service.Max() }));
        report.Add(new Result("service RSS, idle, empty database", Median(rss), "MiB"));
        if (stop.Count > 0)
        {
            report.Add(new Result("ceiling: bare Kestrel SIGTERM to exit", Median(bareStop), "s"));
            report.Add(new Result("service SIGTERM to exit (idle)", Median(stop), "s", Median(bareStop), "bare stop",
                Note: $"target < 2 s (issue 22): {(Median(stop) < 2 ? "met" : "NOT met")}", Extra: new() { ["min"] = stop.Min(), ["max"] = stop.Max() }));
        }

        var items = o.Vms ?? (o.Smoke ? 20 : 10_000);
        var dataDir = Path.Combine(Path.GetTempPath(), "bcp-bench-items-" + Guid.NewGuid().ToString("N")[..8]);
        var settings = new Dictionary<string, string> { ["Emulator:DataDirectory"] = dataDir };
        try
        {
            double written;
            var fill = System.Diagnostics.Stopwatch.StartNew();
            await using (var s = await ChildServer.StartServiceAsync(azurite.ConnectionString, settings))
            {
                using var http = s.NewClient();
                http.DefaultRequestHeaders.Authorization = new("Bearer", await s.TokenAsync());
                var arm = new Arm(http, "bench");
                await arm.PutVaultAsync("items");
                Console.WriteLine($"Protecting {items} VMs for the footprint...");
                await Arm.ForAsync(items, 16, async i => { await arm.PutVmAsync($"i{i}", 0); await arm.EnableAsync("items", $"i{i}"); });
                var listed = await arm.ListAsync(arm.VaultPath("items") + "/backupProtectedItems");
                if (listed.Count != items) throw new InvalidOperationException($"Expected {items} protected items, found {listed.Count}.");
                await Task.Delay(TimeSpan.FromSeconds(2));
                written = s.RssMiB;
            }
            report.Setting("itemsFillSeconds", Math.Round(fill.Elapsed.TotalSeconds, 1));
            await using var restarted = await ChildServer.StartServiceAsync(azurite.ConnectionString, settings);
            await Task.Delay(TimeSpan.FromSeconds(2));
            var idle = restarted.RssMiB;
            report.Add(new Result($"service RSS after writing {items:N0} protected items", written, "MiB"));
            report.Add(new Result($"service start to /readyz 200 with {items:N0} protected items", restarted.StartTime.TotalSeconds, "s", Median(bare), "bare start"));
            report.Add(new Result($"service RSS, idle, restarted with {items:N0} protected items", idle, "MiB",
                Note: $"target (10,000 items) < 200 MiB: {(idle < 200 ? "met" : "NOT met")}{(items == 10_000 ? "" : " (not at 10,000 items)")}"));
        }
        finally
        {
            try { Directory.Delete(dataDir, recursive: true); } catch (IOException) { }
        }
    }

    private static double Median(List<double> xs) => xs.Order().ElementAt(xs.Count / 2);
}
