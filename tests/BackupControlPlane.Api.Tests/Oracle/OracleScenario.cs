using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using BackupControlPlane.Api.Tests.Infrastructure;

namespace BackupControlPlane.Api.Tests.Oracle;

public sealed record OracleRequest(string Method, string PathAndQuery, string? Body);

/// <summary>
/// The resources the oracle works on, built the way a user does: a protected Linux VM with one completed scheduled
/// backup (so jobs, an operation and a recovery point exist), a VM nobody protects yet, and their vault.
/// </summary>
public sealed record OracleScenario(string Rg, string Vault, string Vm, string SpareVm, string OperationId, string BackupJobId, string RecoveryPointId)
{
    public string VaultPath => ArmTestClient.VaultPath(Rg, Vault);
    public string ItemPath => ArmTestClient.ItemPath(Rg, Vault, Vm);

    public static async Task<OracleScenario> CreateAsync(EmulatorApp app, string rg)
    {
        // VM names are unique per app: agents find their VM by name.
        var id = Guid.NewGuid().ToString("N")[..6];
        string vault = "vault-oracle", vm = "vm-oracle-" + id, spare = "vm-spare-" + id;
        await app.Arm.PutVmAsync(rg, vm);
        await app.Arm.PutVmAsync(rg, spare);
        await app.Arm.PutVaultAsync(rg, vault);
        using var enable = await app.Arm.EnableProtectionAsync(rg, vault, vm);
        Assert.Equal(HttpStatusCode.Accepted, enable.StatusCode);
        var operationId = new Uri(enable.Headers.GetValues("Azure-AsyncOperation").Single()).AbsolutePath.Split('/')[^1];

        await app.StartAgentAsync(vm);
        var jobId = ArmTestClient.BackupJobOf(await app.Arm.RunDueAsync(rg), vm);
        var job = await app.Arm.WaitForJobAsync(rg, vault, jobId);
        Assert.Equal("Completed", job["properties"]!["status"]!.GetValue<string>());
        var points = await app.Arm.GetAsync(ArmTestClient.ItemPath(rg, vault, vm) + "/recoveryPoints");
        return new OracleScenario(rg, vault, vm, spare, operationId, jobId, points["value"]![0]!["name"]!.GetValue<string>());
    }

    /// <summary>
    /// Azure's example request, aimed at this scenario: the example's subscription, resource groups, vault and VM
    /// names become ours wherever they stand (path, query, body), and ids become ids that exist here. Creating
    /// examples get fresh targets: the vault PUT a new vault, the protected-item PUT the VM nobody protects.
    /// </summary>
    public OracleRequest FromExample(OpenApiSpec spec, SpecOperation op, JsonNode example)
    {
        var parameters = example["parameters"]!.AsObject();
        string? Scalar(string name) => parameters[name] is JsonValue v ? v.ToString() : null;
        var vm = op.OperationId == "ProtectedItems_CreateOrUpdate" ? SpareVm : Vm;
        var names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        void Map(string? from, string to)
        {
            if (!string.IsNullOrEmpty(from)) names.TryAdd(from, to);
        }
        Map(Scalar("subscriptionId"), ArmTestClient.Sub);
        Map(Scalar("resourceGroupName"), Rg);
        Map(Scalar("vaultName"), op.OperationId == "Vaults_CreateOrUpdate" ? "vault-from-example" : Vault);
        // Container and item names carry the VM's resource group and name: "IaasVMContainer;iaasvmcontainerv2;{rg};{vm}".
        foreach (var key in new[] { "containerName", "protectedItemName", "intentObjectName" })
            if (Scalar(key)?.Split(';') is { Length: 4 } parts)
            {
                Map(parts[2], Rg.ToLowerInvariant());
                Map(parts[3], vm.ToLowerInvariant());
            }

        var ids = new Dictionary<string, string>
        {
            ["jobName"] = BackupJobId, ["operationId"] = OperationId, ["recoveryPointId"] = RecoveryPointId, ["policyName"] = "DefaultPolicy",
        };
        // Examples sometimes carry more parameters than the operation declares; only path and query ones are sent.
        var sent = PathParameters(op).Concat(spec.QueryParameters(op)).ToHashSet();
        var values = parameters.Where(p => p.Value is JsonValue && sent.Contains(p.Key))
            .ToDictionary(p => p.Key, p => ids.GetValueOrDefault(p.Key) ?? Rewrite(p.Value!.ToString(), names));
        // The body parameter is the one object-valued parameter (its name varies: parameters, vault, ...).
        var body = parameters.Select(p => p.Value).OfType<JsonObject>().FirstOrDefault();
        return Build(op, values, body is null ? null : Rewrite(body.ToJsonString(), names));
    }

    /// <summary>A plausible request from this scenario's names alone; a write gets an empty JSON object as its body.</summary>
    public OracleRequest Plausible(SpecOperation op)
    {
        var values = new Dictionary<string, string>
        {
            ["subscriptionId"] = ArmTestClient.Sub, ["resourceGroupName"] = Rg, ["vaultName"] = Vault, ["fabricName"] = "Azure",
            ["containerName"] = ItemPath.Split('/')[^3], ["protectedItemName"] = ItemPath.Split('/')[^1],
            ["intentObjectName"] = ItemPath.Split('/')[^1], ["recoveryPointId"] = RecoveryPointId, ["jobName"] = BackupJobId,
            ["operationId"] = OperationId, ["policyName"] = "DefaultPolicy", ["azureRegion"] = "eastus", ["location"] = "eastus",
        };
        var inPath = PathParameters(op);
        values = values.Where(v => inPath.Contains(v.Key)).ToDictionary();
        values["api-version"] = "2025-02-01";
        return Build(op, values, op.Method is "PUT" or "POST" or "PATCH" ? "{}" : null);
    }

    private static HashSet<string> PathParameters(SpecOperation op) =>
        Regex.Matches(op.PathTemplate, @"\{([^}]+)\}").Select(m => m.Groups[1].Value).ToHashSet();

    /// <summary>Fills the path template (a parameter without a value gets "default"); the other values become the query string.</summary>
    private static OracleRequest Build(SpecOperation op, Dictionary<string, string> values, string? body)
    {
        var inPath = PathParameters(op);
        var path = Regex.Replace(op.PathTemplate, @"\{([^}]+)\}", m => values.GetValueOrDefault(m.Groups[1].Value) ?? "default");
        var query = string.Join("&", values.Where(v => !inPath.Contains(v.Key)).Select(v => $"{v.Key}={Uri.EscapeDataString(v.Value)}"));
        return new OracleRequest(op.Method, path + "?" + query, body);
    }

    /// <summary>Replaces whole names only (bounded by / ; ' " or the ends), longest first, so "rg" never bites into "rg2".</summary>
    private static string Rewrite(string text, Dictionary<string, string> names) =>
        names.Keys.OrderByDescending(k => k.Length).Aggregate(text, (t, from) =>
            Regex.Replace(t, $@"(?<=^|[/;'""])({Regex.Escape(from)})(?=$|[/;'""?])", names[from], RegexOptions.IgnoreCase));

    public static async Task<(int Status, string Body)> SendAsync(HttpClient client, OracleRequest request)
    {
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), request.PathAndQuery);
        if (request.Body is not null) message.Content = new StringContent(request.Body, Encoding.UTF8, "application/json");
        using var response = await client.SendAsync(message);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
