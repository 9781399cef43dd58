using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace BackupControlPlane.Api.Tests.Infrastructure;

/// <summary>Calls ARM routes the way Azure clients do, and builds the scenario's resources.</summary>
public sealed class ArmTestClient(HttpClient http)
{
    public const string Sub = EmulatorApp.Subscription;
    public const string ApiVersion = "2025-02-01";

    public static string Rg(string rg) => $"/subscriptions/{Sub}/resourceGroups/{rg}";
    public static string VmPath(string rg, string vm) => $"{Rg(rg)}/providers/Microsoft.Compute/virtualMachines/{vm}";
    public static string VaultPath(string rg, string vault) => $"{Rg(rg)}/providers/Microsoft.RecoveryServices/vaults/{vault}";
    public static string ItemPath(string rg, string vault, string vm) =>
        $"{VaultPath(rg, vault)}/backupFabrics/Azure/protectionContainers/IaasVMContainer;iaasvmcontainerv2;{rg.ToLowerInvariant()};{vm.ToLowerInvariant()}/protectedItems/VM;iaasvmcontainerv2;{rg.ToLowerInvariant()};{vm.ToLowerInvariant()}";

    public static string WithVersion(string path, string version = ApiVersion) => path + (path.Contains('?') ? "&" : "?") + "api-version=" + version;

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body = null, string version = ApiVersion)
    {
        using var request = new HttpRequestMessage(method, WithVersion(path, version));
        if (body is string raw) request.Content = new StringContent(raw, Encoding.UTF8, "application/json");
        else if (body is not null) request.Content = JsonContent.Create(body);
        return await http.SendAsync(request);
    }

    public async Task<JsonNode> GetAsync(string path, string version = ApiVersion)
    {
        using var response = await SendAsync(HttpMethod.Get, path, version: version);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path} answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }

    public async Task<JsonNode> PutVmAsync(string rg, string vm, string os = "Linux", int dataDisks = 1, string location = "eastus")
    {
        var body = new
        {
            location,
            properties = new
            {
                hardwareProfile = new { vmSize = "Standard_D2s_v3" },
                storageProfile = new
                {
                    osDisk = new { osType = os, name = $"{vm}-os", diskSizeGB = 30 },
                    dataDisks = Enumerable.Range(0, dataDisks).Select(l => new { lun = l, name = $"{vm}-data{l}", diskSizeGB = 8 }).ToArray(),
                },
            },
        };
        using var response = await SendAsync(HttpMethod.Put, VmPath(rg, vm), body, "2022-08-01");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"PUT VM answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }

    public async Task<JsonNode> PutVaultAsync(string rg, string vault, string location = "eastus")
    {
        using var response = await SendAsync(HttpMethod.Put, VaultPath(rg, vault), new { location, sku = new { name = "Standard" }, properties = new { } }, "2022-10-01");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"PUT vault answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }

    public Task<HttpResponseMessage> EnableProtectionAsync(string rg, string vault, string vm, string policy = "DefaultPolicy") =>
        SendAsync(HttpMethod.Put, ItemPath(rg, vault, vm), new
        {
            properties = new
            {
                protectedItemType = "Microsoft.Compute/virtualMachines",
                sourceResourceId = VmPath(rg, vm),
                policyId = $"{VaultPath(rg, vault)}/backupPolicies/{policy}",
            },
        }, "2022-09-01-preview");

    /// <summary>VM, vault and protection in one go; returns nothing but asserts each step answered as Azure does.</summary>
    public async Task ProtectedVmAsync(string rg, string vault, string vm, string os = "Linux", int dataDisks = 1)
    {
        await PutVmAsync(rg, vm, os, dataDisks);
        await PutVaultAsync(rg, vault);
        using var response = await EnableProtectionAsync(rg, vault, vm);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    /// <summary>run-due for one resource group only, so tests sharing the app never run each other's slots.</summary>
    public async Task<JsonNode> RunDueAsync(string resourceGroup, DateTimeOffset? until = null)
    {
        var url = "/emulator/scheduler/run-due?resourceGroup=" + Uri.EscapeDataString(resourceGroup) + (until is { } u ? "&until=" + Uri.EscapeDataString(u.ToString("o")) : "");
        using var response = await http.PostAsync(url, null);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"run-due answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }

    /// <summary>Polls a job as the az CLI's 'job wait' does, until it leaves InProgress; fails the test after the deadline.</summary>
    public async Task<JsonNode> WaitForJobAsync(string rg, string vault, string jobName, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var job = await GetAsync($"{VaultPath(rg, vault)}/backupJobs/{jobName}");
            var status = job["properties"]!["status"]!.GetValue<string>();
            if (status != "InProgress") return job;
            if (DateTime.UtcNow > deadline) Assert.Fail($"Job {jobName} still InProgress after {timeout ?? TimeSpan.FromSeconds(60)}: {job}");
            await Task.Delay(100);
        }
    }

    /// <summary>
    /// The jobs with their tasks: those still InProgress read again with GET one job (in parallel), the only answer
    /// with extendedInfo, as in Azure (the list leaves it out); the ended ones as listed, they have no task running.
    /// </summary>
    public async Task<List<JsonNode>> RunningWithTasksAsync(IReadOnlyList<JsonNode> jobs)
    {
        var result = jobs.ToArray();
        await Parallel.ForAsync(0, result.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            if (result[i]["properties"]!["status"]!.GetValue<string>() == "InProgress") result[i] = await GetAsync(result[i]["id"]!.GetValue<string>());
        });
        return [.. result];
    }

    /// <summary>Backup now, as az backup protection backup-now sends it; returns the job the operation names.</summary>
    public async Task<JsonNode> BackupNowAsync(string rg, string vault, string vm)
    {
        using var accepted = await SendAsync(HttpMethod.Post, ItemPath(rg, vault, vm) + "/backup", new { properties = new { objectType = "IaasVMBackupRequest" } });
        Assert.True(accepted.StatusCode == HttpStatusCode.Accepted, $"backup now answered {(int)accepted.StatusCode}: {await accepted.Content.ReadAsStringAsync()}");
        var opId = new Uri(accepted.Headers.GetValues("Azure-AsyncOperation").Single()).AbsolutePath.Split('/').Last();
        var op = await GetAsync($"{VaultPath(rg, vault)}/backupOperations/{opId}");
        return await GetAsync($"{VaultPath(rg, vault)}/backupJobs/{op["properties"]!["jobId"]!.GetValue<string>()}");
    }

    /// <summary>The error title (Azure's code name) of a failed job.</summary>
    public static string ErrorOf(JsonNode job) => job["properties"]!["errorDetails"]![0]!["errorTitle"]!.GetValue<string>();

    /// <summary>The backup job that run-due started for this VM.</summary>
    public static string BackupJobOf(JsonNode runDue, string vm) =>
        runDue["jobs"]!.AsArray().Single(j => j!["properties"]!["entityFriendlyName"]!.GetValue<string>() == vm)!["name"]!.GetValue<string>();
}
