using System.Text.Json.Nodes;
using BackupControlPlane.Api.Features.Identity;
using BackupControlPlane.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace BackupControlPlane.Api.Tests.Sdk;

/// <summary>
/// The Azure SDK for JavaScript, the newest releases (Sdk/js/package.json) unmodified and on their DEFAULT api-versions,
/// against the emulator over HTTPS (its CA through NODE_EXTRA_CA_CERTS) in strict api-version mode, authenticated by @azure/identity's
/// ManagedIdentityCredential through each managed-identity flavour. The demo fleet runs the VM's agent, as for a user.
/// </summary>
public sealed class JavaScriptSdkTests : IAsyncLifetime
{
    private readonly ServedRequests _served = new();
    private EmulatorApp _app = null!;
    private string _http = null!, _https = null!;

    public async Task InitializeAsync()
    {
        // Strict api-versions: the SDKs' defaults are in Arm/KnownApiVersions, not merely inside the accepted range.
        _app = await EmulatorApp.StartAsync(settings: new() { ["DemoFleet:Enabled"] = "true", ["Emulator:StrictApiVersions"] = "true" }, https: true,
            services: s => s.AddSingleton<IStartupFilter>(_served));
        _http = _app.Addresses.Single(a => a.StartsWith("http://"));
        _https = _app.Addresses.Single(a => a.StartsWith("https://"));
    }

    public Task DisposeAsync()
    {
        _app.Dispose();
        return Task.CompletedTask;
    }

    private Dictionary<string, string> NodeEnvironment(params (string Key, string Value)[] identity)
    {
        var env = identity.ToDictionary(p => p.Key, p => p.Value);
        env["NODE_EXTRA_CA_CERTS"] = Path.Combine(_app.DataDirectory, "tls", "ca.pem");
        return env;
    }

    private (string, string)[] AppService(string? header = null) =>
        [("IDENTITY_ENDPOINT", _http + ManagedIdentityEndpoints.AppServicePath), ("IDENTITY_HEADER", header ?? _app.Service<IdentityHeaderSecret>().Value)];

    [Fact]
    public async Task The_newest_SDKs_on_their_default_api_versions_protect_back_up_and_restore_a_VM()
    {
        var run = await NodeScript.RunAsync("story.mjs", [_https, ArmTestClient.Sub, "rg-js"], NodeEnvironment(AppService()), TimeSpan.FromSeconds(90));
        var steps = run.Output["steps"]!.AsArray().ToDictionary(s => s!["step"]!.GetValue<string>(), s => s!);
        Assert.True(run.ExitCode == 0 && run.Output["error"] is null, $"a step failed: {run.Output["error"]?.ToJsonString()}; done: {string.Join(", ", steps.Keys)}; stderr: {run.StdErr}");

        Assert.InRange(steps["token"]["expiresInSeconds"]!.GetValue<int>(), 3000, 3600);
        Assert.Equal("Succeeded", Str(steps["vmCreate"], "provisioningState"));
        Assert.Equal(1, steps["vmCreate"]["dataDisks"]!.GetValue<int>());
        Assert.Equal("Microsoft.RecoveryServices/vaults", Str(steps["vaultCreate"], "type"));
        Assert.Equal("Succeeded", Str(steps["vaultGet"], "provisioningState"));
        Assert.Equal("Enabled", Str(steps["vaultConfigGet"], "softDeleteFeatureState"));
        Assert.Equal("Daily", Str(steps["policyGet"], "frequency"));
        Assert.Equal(7, steps["policyGet"]["retentionDays"]!.GetValue<int>());
        Assert.Equal("VM;iaasvmcontainerv2;rg-js;jsvm", Str(steps["protect"], "name"));
        Assert.Equal("jsdaily", Str(steps["protect"], "policyName"));
        Assert.Equal(("Backup", "Completed", "jsvm"), (Str(steps["backupJob"], "operation"), Str(steps["backupJob"], "status"), Str(steps["backupJob"], "entityFriendlyName")));
        Assert.Equal(1, steps["recoveryPoints"]["count"]!.GetValue<int>());
        Assert.Equal("IaasVMRecoveryPoint", Str(steps["recoveryPoints"], "objectType"));
        Assert.Equal(("Restore", "Completed", "jsrestoresa"), (Str(steps["restoreJob"], "operation"), Str(steps["restoreJob"], "status"), Str(steps["restoreJob"], "targetStorageAccount")));
        Assert.StartsWith("config-jsvm-", Str(steps["restoreJob"], "configBlobName"));
        Assert.Equal(["VMSnapshotLinux"], steps["extensions"]["names"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal("Succeeded", Str(steps["extensions"], "provisioningState"));
        Assert.Equal(("RestError", 404, "ResourceNotFound"), (Str(steps["refusal"], "name"), steps["refusal"]["statusCode"]!.GetValue<int>(), Str(steps["refusal"], "code")));

        // Each package sent its own default, as the server saw it (issue 16: these were refused up to 2026-02-01).
        Assert.Equal(["2026-07-01"], _served.ApiVersionsFor(p => p.EndsWith("/vaults/jsvault", StringComparison.OrdinalIgnoreCase)));
        Assert.Equal(["2026-04-01"], _served.ApiVersionsFor(p => p.Contains("/virtualMachines/jsvm", StringComparison.OrdinalIgnoreCase)));
        Assert.Equal(["2023-06-01"], _served.ApiVersionsFor(p => p.Contains("/backupPolicies/jsdaily", StringComparison.OrdinalIgnoreCase)
            || p.Contains("/protectedItems/", StringComparison.OrdinalIgnoreCase)));
        // The token came from the App Service flavour, with its secret header.
        Assert.Contains(_served.All, r => r.Path == ManagedIdentityEndpoints.AppServicePath && r.ApiVersion == "2019-08-01" && r.IdentityHeader is not null);
    }

    [Fact]
    public async Task Azure_identity_takes_a_token_from_each_managed_identity_flavour_and_a_wrong_secret_is_refused()
    {
        var flavours = new Dictionary<string, (string, string)[]>
        {
            ["App Service"] = AppService(),
            ["Cloud Shell"] = [("MSI_ENDPOINT", _http + ManagedIdentityEndpoints.ImdsPath)],
            ["IMDS"] = [("AZURE_POD_IDENTITY_AUTHORITY_HOST", _http)],
        };
        var runs = await Task.WhenAll(flavours.Select(async f => (f.Key, Run: await NodeScript.RunAsync("identity.mjs", [], NodeEnvironment(f.Value), TimeSpan.FromSeconds(30)))));
        foreach (var (flavour, run) in runs)
        {
            Assert.True(run.Output["token"] is not null, $"{flavour}: {run.Output.ToJsonString()} {run.StdErr}");
            Assert.InRange(run.Output["token"]!["expiresInSeconds"]!.GetValue<int>(), 3000, 3600);
        }
        var served = _served.All;
        Assert.Contains(served, r => r.Method == "GET" && r.Path == ManagedIdentityEndpoints.AppServicePath && r.IdentityHeader == _app.Service<IdentityHeaderSecret>().Value);
        Assert.Contains(served, r => r.Method == "POST" && r.Path == ManagedIdentityEndpoints.ImdsPath && r.MetadataHeader);
        Assert.Contains(served, r => r.Method == "GET" && r.Path == ManagedIdentityEndpoints.ImdsPath && r.MetadataHeader);

        var wrong = await NodeScript.RunAsync("identity.mjs", [], NodeEnvironment(AppService("not-the-secret")), TimeSpan.FromSeconds(30));
        Assert.Null(wrong.Output["token"]);
        Assert.Contains("X-IDENTITY-HEADER", wrong.Output["error"]!["message"]!.GetValue<string>());
    }

    private static string? Str(JsonNode step, string key) => step[key]?.GetValue<string>();
}
