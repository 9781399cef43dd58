using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace BackupControlPlane.Benchmarks.Harness;

/// <summary>Builds the scenarios' resources through the service's ARM routes, as a client would.</summary>
public sealed class Arm(HttpClient http, string rg)
{
    public const string Sub = "00000000-0000-0000-0000-000000000001";
    public const string ApiVersion = "2025-02-01";
    public string Rg { get; } = rg;
    public string RgPath => $"/subscriptions/{Sub}/resourceGroups/{Rg}";
    public string VmPath(string vm) => $"{RgPath}/providers/Microsoft.Compute/virtualMachines/{vm}";
    public string VaultPath(string vault) => $"{RgPath}/providers/Microsoft.RecoveryServices/vaults/{vault}";
    public string ItemPath(string vault, string vm) =>
        $"{VaultPath(vault)}/backupFabrics/Azure/protectionContainers/IaasVMContainer;iaasvmcontainerv2;{Rg.ToLowerInvariant()};{vm.ToLowerInvariant()}/protectedItems/VM;iaasvmcontainerv2;{Rg.ToLowerInvariant()};{vm.ToLowerInvariant()}";
    public string PolicyId(string vault, string policy = "DefaultPolicy") => $"{VaultPath(vault)}/backupPolicies/{policy}";

    public static string V(string path, string version = ApiVersion) => path + (path.Contains('?') ? "&" : "?") + "api-version=" + version;

    private int _lostRaces;

    /// <summary>
    /// PUTs answered 409 "conflicts with a change another request made at the same time ... retry" and sent again. On
    /// PostgreSQL the service runs such routes as serializable transactions and retries a lost race itself a few times;
    /// parallel set-up (16 enables on one vault) can lose more often than that, and the answer asks the client to retry.
    /// </summary>
    public int LostRaceRetries => Volatile.Read(ref _lostRaces);

    public async Task PutAsync(string path, object body, string version = ApiVersion)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var response = await http.PutAsJsonAsync(V(path, version), body);
            if (response.IsSuccessStatusCode) return;
            var text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == System.Net.HttpStatusCode.Conflict && text.Contains("at the same time") && attempt < 20)
            {
                Interlocked.Increment(ref _lostRaces);
                await Task.Delay(Random.Shared.Next(10, 50 * Math.Min(attempt, 10)));
                continue;
            }
            throw new InvalidOperationException($"PUT {path} answered {(int)response.StatusCode}: {text}");
        }
    }

    public Task PutVaultAsync(string vault) => PutAsync(VaultPath(vault), new { location = "eastus", sku = new { name = "Standard" }, properties = new { } });

    /// <summary>A VM with an OS disk and <paramref name="dataDisks"/> data disks; each disk is a page blob in Azurite.</summary>
    public Task PutVmAsync(string vm, int dataDisks) => PutAsync(VmPath(vm), new
    {
        location = "eastus",
        properties = new
        {
            hardwareProfile = new { vmSize = "Standard_D2s_v3" },
            storageProfile = new
            {
                osDisk = new { osType = "Linux", name = $"{vm}-os", diskSizeGB = 30 },
                dataDisks = Enumerable.Range(0, dataDisks).Select(l => new { lun = l, name = $"{vm}-data{l}", diskSizeGB = 8 }).ToArray(),
            },
        },
    }, "2024-07-01");

    public object EnableBody(string vault, string vm) => new
    {
        properties = new { protectedItemType = "Microsoft.Compute/virtualMachines", sourceResourceId = VmPath(vm), policyId = PolicyId(vault) },
    };

    public Task EnableAsync(string vault, string vm) => PutAsync(ItemPath(vault, vm), EnableBody(vault, vm));

    public async Task<JsonNode> GetAsync(string pathAndQuery)
    {
        using var response = await http.GetAsync(pathAndQuery.StartsWith("http") || pathAndQuery.Contains("api-version=") ? pathAndQuery : V(pathAndQuery));
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"GET {pathAndQuery} answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }

    /// <summary>Every page of an ARM list, following nextLink.</summary>
    public async Task<List<JsonNode>> ListAsync(string path)
    {
        var all = new List<JsonNode>();
        string? next = V(path);
        while (next is not null)
        {
            var page = await GetAsync(next);
            all.AddRange(page["value"]!.AsArray().Select(n => n!));
            next = page["nextLink"]?.GetValue<string>();
        }
        return all;
    }

    /// <summary>
    /// Each job as GET one job answers it, <paramref name="parallel"/> at a time: only that answer has extendedInfo (the
    /// tasks); the list leaves it out, as Azure's does.
    /// </summary>
    public async Task<List<JsonNode>> JobDetailsAsync(IReadOnlyList<JsonNode> jobs, int parallel = 16)
    {
        var details = new JsonNode[jobs.Count];
        await ForAsync(jobs.Count, parallel, async i => details[i] = await GetAsync(jobs[i]["id"]!.GetValue<string>()));
        return [.. details];
    }

    /// <summary>Runs <paramref name="work"/> for 0..count-1 with bounded parallelism (set-up only, never timed as a result).</summary>
    public static Task ForAsync(int count, int parallel, Func<int, Task> work) =>
        Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (i, _) => await work(i));
}
