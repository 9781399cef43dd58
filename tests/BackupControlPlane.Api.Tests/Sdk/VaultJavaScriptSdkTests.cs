using BackupControlPlane.Api.Features.Identity;
using BackupControlPlane.Api.Tests.Infrastructure;

namespace BackupControlPlane.Api.Tests.Sdk;

/// <summary>
/// @azure/arm-recoveryservices on its default api-version: a vault created with settings, PATCHed with
/// <c>vaults.beginUpdateAndWait</c> (merge), then removed with <c>vaults.beginDeleteAndWait</c> (issue 18: both were 405).
/// </summary>
public sealed class VaultJavaScriptSdkTests
{
    [Fact]
    public async Task BeginUpdateAndWait_merges_the_settings_and_beginDeleteAndWait_removes_the_vault()
    {
        using var app = await EmulatorApp.StartAsync(https: true);
        var http = app.Addresses.Single(a => a.StartsWith("http://"));
        var https = app.Addresses.Single(a => a.StartsWith("https://"));
        var env = new Dictionary<string, string>
        {
            ["IDENTITY_ENDPOINT"] = http + ManagedIdentityEndpoints.AppServicePath,
            ["IDENTITY_HEADER"] = app.Service<IdentityHeaderSecret>().Value,
            ["NODE_EXTRA_CA_CERTS"] = Path.Combine(app.DataDirectory, "tls", "ca.pem"),
        };
        var run = await NodeScript.RunAsync("vault.mjs", [https, ArmTestClient.Sub, "rg-js-vault"], env, TimeSpan.FromSeconds(60));
        var steps = run.Output["steps"]!.AsArray().ToDictionary(s => s!["step"]!.GetValue<string>(), s => s!);
        Assert.True(run.ExitCode == 0 && run.Output["error"] is null, $"a step failed: {run.Output["error"]?.ToJsonString()}; done: {string.Join(", ", steps.Keys)}; stderr: {run.StdErr}");

        Assert.Equal("Disabled", steps["create"]["publicNetworkAccess"]!.GetValue<string>());
        Assert.Equal("Unlocked", steps["create"]["immutability"]!.GetValue<string>());
        foreach (var step in new[] { "update", "get" })
        {
            var s = steps[step];
            Assert.Equal("js", s["tags"]!["owner"]!.GetValue<string>());
            Assert.Equal("SystemAssigned", s["identityType"]!.GetValue<string>());
            Assert.Equal("LocallyRedundant", s["redundancy"]!.GetValue<string>());
            Assert.Equal("Disabled", s["softDelete"]!.GetValue<string>());
            // Merged, not replaced: what the PATCH did not name is as created.
            Assert.Equal("Unlocked", s["immutability"]!.GetValue<string>());
            Assert.Equal("Disabled", s["publicNetworkAccess"]!.GetValue<string>());
        }
        Assert.Equal(steps["update"]["principalId"]!.GetValue<string>(), steps["get"]["principalId"]!.GetValue<string>());
        Assert.Equal(404, steps["afterDelete"]["statusCode"]!.GetValue<int>());
        Assert.Equal("ResourceNotFound", steps["afterDelete"]["code"]!.GetValue<string>());
    }
}
