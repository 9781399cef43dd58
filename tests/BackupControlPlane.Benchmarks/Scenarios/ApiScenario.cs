using BackupControlPlane.Benchmarks.Harness;

namespace BackupControlPlane.Benchmarks.Scenarios;

/// <summary>
/// Issue 7 §1. wrk against the real service (child process, real SQLite, real Azurite, bearer token on every ARM
/// request) and, in the same run and with the same wrk settings, against the ceilings: a bare Kestrel GET and a
/// one-row EF Core insert into SQLite (WAL). Each ceiling is measured right before the routes compared with it.
/// </summary>
public static class ApiScenario
{
    public static async Task RunAsync(BenchContext ctx, Report report)
    {
        var o = ctx.Options;
        var wrk = o.Smoke ? new WrkSettings(1, 8, 1) : new WrkSettings(o.Threads, o.Connections, o.Seconds);
        // Enough VMs that the PUT measurement never re-enables one (a re-PUT is a cheaper policy change); 0 data disks
        // because enabling does not look at disks and each disk costs a page blob to prepare.
        var enableVms = o.Vms ?? (o.Smoke ? 20 : 3000);
        var jobCount = o.Smoke ? 5 : 50;
        report.Setting("wrk", $"-t{wrk.Threads} -c{wrk.Connections} -d{wrk.Seconds}s --latency");
        report.Setting("enableVms", enableVms);
        report.Setting("service", "child process: dotnet src/BackupControlPlane.Api/bin/" + ChildServer.Configuration + "/net10.0/BackupControlPlane.Api.dll, bearer token from the managed-identity endpoint, Logging:LogLevel:Default=Warning");
        report.Setting("ceilings", "child process: this harness's ceiling-server mode (Web SDK defaults, Server GC), SQLite WAL + synchronous=NORMAL per connection");

        var ceiling = await ctx.CeilingAsync();
        var service = await ctx.ServiceAsync();
        var token = await service.TokenAsync();
        var auth = $"Authorization: Bearer {token}";
        using var http = service.NewClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        var arm = new Arm(http, "bench");

        Console.WriteLine($"Preparing: a vault with 50 jobs, {enableVms} VMs to protect...");
        var prep = System.Diagnostics.Stopwatch.StartNew();
        await arm.PutVaultAsync("jobs50");
        await arm.PutVaultAsync("enable");
        await Arm.ForAsync(jobCount, 8, async i => { await arm.PutVmAsync($"j{i}", 0); await arm.EnableAsync("jobs50", $"j{i}"); });
        await Arm.ForAsync(enableVms, 16, i => arm.PutVmAsync($"e{i}", 0));
        var jobs = await arm.ListAsync(arm.VaultPath("jobs50") + "/backupJobs");
        if (jobs.Count != jobCount) throw new InvalidOperationException($"Expected {jobCount} jobs in the vault, found {jobs.Count}.");
        report.Setting("prepareSeconds", Math.Round(prep.Elapsed.TotalSeconds, 1));

        if (!Wrk.Available)
        {
            // Smoke runs only (a real run refuses to start without wrk): the set-up above is still exercised.
            report.Setting("skipped", $"wrk not installed at {Wrk.Path}: no load measured");
            return;
        }

        // Warm-up, outside the measurement, until the route is steady: tiered JIT with dynamic PGO takes tens of seconds
        // of load on 2 busy cores to reach its final code (measured: GET protectedItem ran 2.1k, 3.0k, 10k, 20k, 23k,
        // 27k req/s in consecutive 6-second runs). So every measured URL is loaded in runs as long as the measurement
        // until two consecutive runs differ by less than 10 %, for at most a minute.
        var warmups = new Dictionary<string, int>();
        async Task Warm(string url, string[]? headers = null, string? script = null, string[]? scriptArgs = null)
        {
            if (o.Smoke) return;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var (previous, runs) = (0.0, 0);
            while (clock.Elapsed < TimeSpan.FromMinutes(1))
            {
                var r = (await Wrk.RunAsync(url, wrk, headers, script, scriptArgs)).RequestsPerSecond;
                runs++;
                if (previous > 0 && Math.Abs(r - previous) < 0.1 * r) break;
                previous = r;
            }
            warmups[url] = runs;
        }

        await Warm(new Uri(ceiling.BaseAddress, "/bare").ToString());
        var bareGet = await Measure("ceiling: bare Kestrel GET", new Uri(ceiling.BaseAddress, "/bare").ToString(), wrk);
        report.Add(Line("ceiling: bare Kestrel GET", bareGet, null, null));
        // Where a GET's time goes: the pipeline with the token check but no database, then the real routes.
        await Warm(new Uri(service.BaseAddress, "/subscriptions?api-version=2022-12-01").ToString(), [auth]);
        var noDb = await Measure("GET /subscriptions (token, no DB)", new Uri(service.BaseAddress, "/subscriptions?api-version=2022-12-01").ToString(), wrk, [auth]);
        report.Add(Line("diagnostic: GET /subscriptions (token, no DB)", noDb, bareGet, null));
        await Warm(new Uri(service.BaseAddress, Arm.V(arm.ItemPath("jobs50", "j0"))).ToString(), [auth]);
        var item = await Measure("GET protectedItem", new Uri(service.BaseAddress, Arm.V(arm.ItemPath("jobs50", "j0"))).ToString(), wrk, [auth]);
        report.Add(Line("GET protectedItem", item, bareGet, 0.40));
        await Warm(new Uri(service.BaseAddress, Arm.V(arm.VaultPath("jobs50") + "/backupJobs")).ToString(), [auth]);
        var list = await Measure("GET backupJobs (50 jobs)", new Uri(service.BaseAddress, Arm.V(arm.VaultPath("jobs50") + "/backupJobs")).ToString(), wrk, [auth]);
        report.Add(Line("GET backupJobs (50 jobs)", list, bareGet, 0.40));

        var insertScript = WriteScript("insert.lua", InsertLua);
        await Warm(new Uri(ceiling.BaseAddress, "/insert").ToString(), script: insertScript);
        var insert = await Measure("ceiling: EF Core one-row insert", new Uri(ceiling.BaseAddress, "/insert").ToString(), wrk, script: insertScript);
        insertCeiling = insert;
        report.Add(Line("ceiling: EF Core one-row insert (WAL)", insert, null, null));

        var enableScript = WriteScript("enable.lua", EnableLua);
        string[] enableArgs = [wrk.Threads.ToString(), enableVms.ToString(), "e", arm.VaultPath("enable"), arm.Rg.ToLowerInvariant(), arm.VmPath(""), arm.PolicyId("enable"), token];
        var enable = await Measure("PUT protectedItem (enable)", new Uri(service.BaseAddress, "/").ToString(), wrk, script: enableScript, scriptArgs: enableArgs);
        var wrapped = enable.Requests > enableVms;
        report.Add(Line("PUT protectedItem (enable)", enable, insert, 0.50,
            wrapped ? $"{enable.Requests} requests for {enableVms} VMs: some were re-enables (raise --vms)" : $"{enable.Requests} distinct VMs enabled"));
        report.Setting("warmUpRuns", string.Join(", ", warmups.Values));
        var items = await arm.ListAsync(arm.VaultPath("enable") + "/backupProtectedItems");
        report.Setting("itemsProtectedByPut", items.Count);
        report.Setting("serviceRssMiBAfter", Math.Round(service.RssMiB, 1));
    }

    private static async Task<LoadResult> Measure(string name, string url, WrkSettings wrk, string[]? headers = null, string? script = null, string[]? scriptArgs = null)
    {
        Console.WriteLine($"  wrk: {name}...");
        var r = await Wrk.RunAsync(url, wrk, headers, script, scriptArgs);
        if (r.Errors > 0) Console.WriteLine($"    {r.Errors} errors (non-2xx or socket):\n{r.Raw}");
        return r;
    }

    private static LoadResult? insertCeiling;

    private static Result Line(string name, LoadResult r, LoadResult? ceiling, double? target, string? note = null) =>
        new(name, r.RequestsPerSecond, "req/s", ceiling?.RequestsPerSecond, ceiling is null ? null : ReferenceEquals(ceiling, insertCeiling) ? "one-row insert" : "bare GET", target,
            note ?? (r.Errors > 0 ? $"{r.Errors} errors" : null),
            new() { ["p50Ms"] = r.P50Ms, ["p99Ms"] = r.P99Ms, ["requests"] = r.Requests, ["errors"] = r.Errors });

    private static string WriteScript(string name, string text)
    {
        var path = Path.Combine(Path.GetTempPath(), "bcp-bench-" + name);
        File.WriteAllText(path, text);
        return path;
    }

    // A POST with a small JSON body, like the ceiling's insert takes.
    private const string InsertLua = """
        wrk.method = "POST"
        wrk.body = '{"name":"row"}'
        wrk.headers["Content-Type"] = "application/json"
        """;

    // Each request enables protection for the next VM: thread t takes VMs t, t+T, t+2T... (wrapping after the last).
    private const string EnableLua = """
        local threads = {}
        function setup(thread) thread:set("tid", #threads); table.insert(threads, thread) end
        function init(args)
          n = 0; nthreads = tonumber(args[1]); count = tonumber(args[2]); prefix = args[3]
          vault = args[4]; rg = args[5]; vmBase = args[6]; policy = args[7]; token = args[8]
        end
        function request()
          local vm = prefix .. ((n * nthreads + tid) % count)
          n = n + 1
          local c = "IaasVMContainer;iaasvmcontainerv2;" .. rg .. ";" .. vm
          local path = vault .. "/backupFabrics/Azure/protectionContainers/" .. c .. "/protectedItems/VM;iaasvmcontainerv2;" .. rg .. ";" .. vm .. "?api-version=2025-02-01"
          local body = '{"properties":{"protectedItemType":"Microsoft.Compute/virtualMachines","sourceResourceId":"' .. vmBase .. vm .. '","policyId":"' .. policy .. '"}}'
          return wrk.format("PUT", path, {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
        end
        """;
}
