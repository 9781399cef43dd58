using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BackupControlPlane.Benchmarks.Harness;

namespace BackupControlPlane.Benchmarks.Scenarios;

/// <summary>
/// Issue 22: the latency of one operation as a user's integration test feels it, on a service with its demo fleet
/// (DemoFleet:Enabled, the agents inside the service as `dotnet run` starts them) and one VM with two disks. Each
/// operation is repeated (≥ 50 times outside --smoke), one at a time, and timed from the client's request to the job
/// it started being Completed, as a client polling GET backupJobs/{id} sees it (every 5 ms). Beside each, the ceiling:
/// Azurite alone doing that operation's blob requests (and durability flushes) in the same run.
/// </summary>
public static class LatencyScenario
{
    private const string Rg = "latency";
    private const string Vm = "lat0";
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(5);

    public static async Task RunAsync(BenchContext ctx, Report report)
    {
        var o = ctx.Options;
        var n = o.Vms ?? (o.Smoke ? 3 : 50);
        report.Setting("repetitions", n);
        report.Setting("disksPerVm", 2);
        report.Setting("agents", "the service's demo fleet (DemoFleet:Enabled=true), in the service process");
        report.Setting("jobPollMs", PollEvery.TotalMilliseconds);
        report.Setting("serviceDll", ChildServer.ServiceDll);
        var azurite = await ctx.AzuriteAsync();
        // A service of its own: the demo fleet runs an agent for every VM of the emulator, and the one under test must be alone.
        await using var service = await ChildServer.StartServiceAsync(azurite.ConnectionString, new() { ["DemoFleet:Enabled"] = "true" });
        using var http = service.NewClient(TimeSpan.FromMinutes(2));
        http.DefaultRequestHeaders.Authorization = new("Bearer", await service.TokenAsync());
        var arm = new Arm(http, Rg);

        Console.WriteLine($"Preparing a 2-disk VM and {n + 1} VMs to enable...");
        await arm.PutVaultAsync("v1");
        await arm.PutVmAsync(Vm, 1);
        await Arm.ForAsync(n + 1, 4, i => arm.PutVmAsync($"en{i}", 1)); // + the warm-up's
        await WaitForAgentAsync(http, arm, Vm);
        await FollowAsync(http, await SendAsync(http, HttpMethod.Put, arm.ItemPath("v1", Vm), arm.EnableBody("v1", Vm)));

        Console.WriteLine("Measuring Azurite alone (the same blob requests)...");
        var ceiling = await StorageCeiling.MeasureAsync(azurite.ConnectionString, n);

        Console.WriteLine($"backup now × {n}...");
        var backupParts = new Dictionary<string, List<double>> { ["Take Snapshot"] = [], ["Transfer data to vault"] = [] };
        var backup = await RepeatAsync(n, async () =>
        {
            var job = await FollowAsync(http, await SendAsync(http, HttpMethod.Post, arm.ItemPath("v1", Vm) + "/backup",
                new { properties = new { objectType = "IaasVMBackupRequest" } }));
            return await UntilDoneAsync(arm, job, backupParts);
        });
        Add(report, "backup now → job Completed", backup, ceiling.Backup, "Azurite alone: backup's blob requests", 150, backupParts,
            "POST …/backup, then the job; ceiling: logs container, 2 snapshots, status + log upload, status download, 2 copies into a vault container, 3 flushes");

        Console.WriteLine($"run-due × {n}...");
        var start = DateTimeOffset.UtcNow;
        var runDueParts = new Dictionary<string, List<double>> { ["Take Snapshot"] = [], ["Transfer data to vault"] = [] };
        var day = 0;
        var runDue = await RepeatAsync(n, async () =>
        {
            // Each repetition runs the policy's next daily slot (until = one day further each time).
            var until = Uri.EscapeDataString(start.AddDays(++day).ToString("o"));
            Stamp.Start = Stopwatch.GetTimestamp();
            using var response = await http.PostAsync($"/emulator/scheduler/run-due?resourceGroup={Rg}&until={until}", null);
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"run-due answered {(int)response.StatusCode}: {body}");
            var job = body["jobs"]!.AsArray().Select(j => j!["id"]!.GetValue<string>()).LastOrDefault()
                ?? throw new InvalidOperationException($"run-due started no job: {body}");
            return await UntilDoneAsync(arm, job, runDueParts);
        });
        Add(report, "run-due → Backup job Completed", runDue, ceiling.Backup, "Azurite alone: backup's blob requests", null, runDueParts,
            "POST /emulator/scheduler/run-due (the next daily slot), then the slot's Backup job");

        Console.WriteLine($"restore disks × {n}...");
        var point = (await arm.ListAsync(arm.ItemPath("v1", Vm) + "/recoveryPoints"))[0]["name"]!.GetValue<string>();
        var restore = await RepeatAsync(n, async () =>
        {
            var job = await FollowAsync(http, await SendAsync(http, HttpMethod.Post, $"{arm.ItemPath("v1", Vm)}/recoveryPoints/{point}/restore", new
            {
                properties = new
                {
                    objectType = "IaasVMRestoreRequest", recoveryPointId = point, recoveryType = "RestoreDisks", region = "eastus",
                    sourceResourceId = arm.VmPath(Vm), storageAccountId = $"{arm.RgPath}/providers/Microsoft.Storage/storageAccounts/latencysa",
                    createNewCloudService = true, originalStorageAccountOption = false,
                },
            }));
            return await UntilDoneAsync(arm, job, null);
        });
        Add(report, "restore disks → job Completed", restore, ceiling.Restore, "Azurite alone: restore's blob requests", 150, null,
            "POST …/recoveryPoints/{rp}/restore (RestoreDisks), then the job; ceiling: 2 copies out of the vault container, 1 flush");

        Console.WriteLine($"enable × {n}...");
        var next = 0;
        var enable = await RepeatAsync(n, async () =>
        {
            var vm = $"en{next++}";
            var job = await FollowAsync(http, await SendAsync(http, HttpMethod.Put, arm.ItemPath("v1", vm), arm.EnableBody("v1", vm)));
            return await UntilDoneAsync(arm, job, null);
        });
        Add(report, "enable → ConfigureBackup Completed", enable, null, null, null, null,
            "PUT protectedItem (a new VM each time), its Azure-AsyncOperation, then the ConfigureBackup job");
    }

    private static void Add(Report report, string name, List<double> ms, double? ceilingMs, string? ceilingName, double? targetMs,
        Dictionary<string, List<double>>? parts, string note)
    {
        ms.Sort();
        var extra = new Dictionary<string, double> { ["p50Ms"] = Pct(ms, 0.5), ["p99Ms"] = Pct(ms, 0.99), ["minMs"] = ms[0], ["maxMs"] = ms[^1], ["n"] = ms.Count };
        if (ceilingMs is { } c) extra["ceilingMs"] = c;
        foreach (var (part, values) in parts ?? [])
        {
            values.Sort();
            var key = part.Replace(" ", "");
            extra[key + "P50Ms"] = Pct(values, 0.5);
            extra[key + "P99Ms"] = Pct(values, 0.99);
        }
        // The ratio is ceiling ÷ measured (1.0 = as fast as Azurite alone); the target is an absolute p50.
        var p50 = Pct(ms, 0.5);
        report.Add(new Result(name + " p50", p50, "ms", Note: note + (targetMs is { } t ? $"; target p50 < {t} ms: {(p50 < t ? "met" : "NOT met")}" : "")
            + (ceilingMs is { } cm ? $"; ceiling {cm:0.0} ms ({ceilingName}), {p50 / cm:0.0}× the ceiling" : ""), Extra: extra));
        report.Add(new Result(name + " p99", Pct(ms, 0.99), "ms"));
        if (parts is not null)
            Console.WriteLine($"    parts (job's own task times): {string.Join("; ", parts.Select(kv => $"{kv.Key} p50 {Pct(kv.Value, 0.5):0} ms, p99 {Pct(kv.Value, 0.99):0} ms"))}");
    }

    private static async Task<List<double>> RepeatAsync(int n, Func<Task<double>> once)
    {
        await once(); // warm-up, not counted (first JIT of the path, the VMSnapshot extension's installation)
        var all = new List<double>();
        for (var i = 0; i < n; i++) all.Add(await once());
        return all;
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string path, object body)
    {
        Stamp.Start = Stopwatch.GetTimestamp();
        var response = await http.SendAsync(new HttpRequestMessage(method, Arm.V(path)) { Content = JsonContent.Create(body) });
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{method} {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return response;
    }

    /// <summary>The job id of a 202 (its Azure-AsyncOperation, polled as the clients do) or of a 200 PUT's operation.</summary>
    private static async Task<string> FollowAsync(HttpClient http, HttpResponseMessage response)
    {
        using var _ = response;
        if (!response.Headers.TryGetValues("Azure-AsyncOperation", out var v))
            throw new InvalidOperationException($"{(int)response.StatusCode} without Azure-AsyncOperation: {await response.Content.ReadAsStringAsync()}");
        var status = v.First();
        while (true)
        {
            var op = JsonNode.Parse(await http.GetStringAsync(status))!;
            if (op["status"]!.GetValue<string>() != "InProgress")
                return op["properties"]?["jobId"]?.GetValue<string>() ?? throw new InvalidOperationException($"Operation without a job: {op}");
            await Task.Delay(PollEvery);
        }
    }

    /// <summary>Polls the job until it is no longer InProgress; returns ms since the request was sent; Completed or it throws.</summary>
    private static async Task<double> UntilDoneAsync(Arm arm, string jobId, Dictionary<string, List<double>>? parts)
    {
        var path = jobId.StartsWith('/') ? jobId : arm.VaultPath("v1") + "/backupJobs/" + jobId;
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (true)
        {
            var job = await arm.GetAsync(path);
            var status = job["properties"]!["status"]!.GetValue<string>();
            if (status is not ("InProgress" or "Cancelling"))
            {
                var elapsed = Stopwatch.GetElapsedTime(Stamp.Start).TotalMilliseconds;
                if (status != "Completed") throw new InvalidOperationException($"Job {jobId} ended {status}: {job}");
                foreach (var (name, list) in parts ?? [])
                    if (job["properties"]!["extendedInfo"]?["tasksList"]?.AsArray().FirstOrDefault(t => t!["taskId"]!.GetValue<string>() == name) is { } t
                        && t["startTime"] is not null && t["endTime"] is not null)
                        list.Add((t["endTime"]!.GetValue<DateTimeOffset>() - t["startTime"]!.GetValue<DateTimeOffset>()).TotalMilliseconds);
                return elapsed;
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Job {jobId} still {status} after a minute.");
            await Task.Delay(PollEvery);
        }
    }

    private static async Task WaitForAgentAsync(HttpClient http, Arm arm, string vm)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (!(await http.GetStringAsync(Arm.V(arm.VmPath(vm) + "/instanceView", "2024-07-01"))).Contains("GuestAgent is running"))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"The agent of {vm} never polled.");
            await Task.Delay(100);
        }
    }

    private static double Pct(List<double> sorted, double p) => sorted.Count == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(p * sorted.Count))];

    /// <summary>When the operation being timed was sent (one at a time, so one stamp).</summary>
    private static class Stamp
    {
        public static long Start;
    }
}
