using System.Net;
using System.Text.Json.Nodes;
using BackupControlPlane.Api.Tests.Infrastructure;

namespace BackupControlPlane.Api.Tests.Features.ResourceGuards;

/// <summary>A Resource Guard and a vault mapped to it, as the az CLI and Terraform set them up.</summary>
public sealed class GuardScenario(ArmTestClient arm, string rg, string guard)
{
    public const string GuardApi = "2025-07-01";
    public const string Vault = "vault1";

    public string GuardPath => $"{ArmTestClient.Rg(rg)}/providers/Microsoft.DataProtection/resourceGuards/{guard}";
    public string VaultPath => ArmTestClient.VaultPath(rg, Vault);
    public string ProxyPath => VaultPath + "/backupResourceGuardProxies/VaultProxy";

    /// <summary>The request a client names to be authorised for one of the guard's request types.</summary>
    public string Request(string requestType) => $"{GuardPath}/{requestType}/default";

    public static string NewRg() => "rg-guard-" + Guid.NewGuid().ToString("N")[..6];

    public static async Task<GuardScenario> MappedAsync(ArmTestClient arm, string rg, params string[] exclusions)
    {
        var s = new GuardScenario(arm, rg, "guard1");
        await s.PutGuardAsync(exclusions);
        await arm.PutVaultAsync(rg, Vault);
        using var mapped = await arm.SendAsync(HttpMethod.Put, s.ProxyPath, new { properties = new { resourceGuardResourceId = s.GuardPath } });
        Assert.True(mapped.StatusCode == HttpStatusCode.OK, $"PUT VaultProxy answered {(int)mapped.StatusCode}: {await mapped.Content.ReadAsStringAsync()}");
        return s;
    }

    public async Task<JsonNode> PutGuardAsync(params string[] exclusions)
    {
        using var response = await arm.SendAsync(HttpMethod.Put, GuardPath,
            new { location = "eastus", tags = new { team = "security" }, properties = new { vaultCriticalOperationExclusionList = exclusions } }, GuardApi);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"PUT guard answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }

    public async Task<HttpResponseMessage> UnlockAsync(string requestType, string? resourceToBeDeleted = null) =>
        await arm.SendAsync(HttpMethod.Post, ProxyPath + "/unlockDelete",
            new { resourceGuardOperationRequests = new[] { Request(requestType) }, resourceToBeDeleted });

    /// <summary>Asserts Azure's refusal of an unauthorised critical operation, naming the guard request it needed.</summary>
    public async Task AssertRefusedAsync(HttpResponseMessage response, string requestType)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"expected 403, got {(int)response.StatusCode}: {text}");
        var error = JsonNode.Parse(text)!["error"]!;
        Assert.Equal("LinkedAuthorizationFailed", error["code"]!.GetValue<string>());
        Assert.Contains(Request(requestType), error["message"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
    }
}
