using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Text.Json.Nodes;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Tests.Infrastructure;

namespace BackupControlPlane.Api.Tests.Arm;

public sealed class ArmContractTests
{
    [Theory]
    [InlineData("2016-06-01", true)]
    [InlineData("2022-09-01-preview", true)]
    [InlineData("2025-02-01", true)]
    [InlineData("2026-07-01", true)]        // @azure/arm-recoveryservices 7.2.0's default
    [InlineData("2028-12-01-preview", true)] // today (2026-12-02 here) plus two years
    [InlineData("2028-12-03", false)]
    [InlineData("2014-01-01", false)]
    [InlineData("2099-01-01", false)]
    [InlineData("2025-13-01", false)]
    [InlineData("2025-02-30", false)]
    [InlineData("2025-02-01-beta", false)]
    [InlineData("latest", false)]
    public void Dated_api_versions_up_to_today_plus_two_years_are_accepted(string version, bool ok) =>
        Assert.Equal(ok, ApiVersions.IsSupported(version, new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero)));

    [Fact]
    public async Task The_accepted_range_follows_the_emulated_clock()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2030, 6, 1, 0, 0, 0, TimeSpan.Zero));
        using var app = await EmulatorApp.StartAsync(time);
        Assert.Equal(HttpStatusCode.OK, (await app.Client.GetAsync("/subscriptions?api-version=2032-05-30")).StatusCode);
        using var late = await app.Client.GetAsync("/subscriptions?api-version=2032-06-02");
        Assert.Equal(HttpStatusCode.BadRequest, late.StatusCode);
        Assert.Contains("to 2032-05-31", await late.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_missing_or_unknown_api_version_is_a_400_naming_the_supported_ones()
    {
        var app = await EmulatorApp.SharedAsync();
        using var missing = await app.Client.GetAsync(ArmTestClient.VaultPath("rg", "v"));
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal("MissingApiVersionParameter", JsonNode.Parse(await missing.Content.ReadAsStringAsync())!["error"]!["code"]!.GetValue<string>());
        using var bad = await app.Client.GetAsync(ArmTestClient.VaultPath("rg", "v") + "?api-version=1999-01-01");
        var error = JsonNode.Parse(await bad.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("InvalidApiVersionParameter", error["code"]!.GetValue<string>());
        Assert.Contains(ApiVersions.Newest(app.Services.GetRequiredService<TimeProvider>().GetUtcNow()), error["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Unknown_ARM_routes_and_methods_answer_with_the_ARM_envelope()
    {
        var app = await EmulatorApp.SharedAsync();
        using var unknown = await app.Client.GetAsync($"/subscriptions/{ArmTestClient.Sub}/providers/Microsoft.Nope/things?api-version=2025-02-01");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.NotNull(JsonNode.Parse(await unknown.Content.ReadAsStringAsync())!["error"]!["code"]);
        using var method = await app.Client.PatchAsync(ArmTestClient.VmPath("rg", "vm") + "/extensions?api-version=2025-02-01", null);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, method.StatusCode);
        Assert.NotNull(JsonNode.Parse(await method.Content.ReadAsStringAsync())!["error"]!["message"]);
    }

    [Fact]
    public async Task Routing_is_case_insensitive_as_ARM_is()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = "rg-case-" + Guid.NewGuid().ToString("N")[..6];
        await app.Arm.PutVaultAsync(rg, "CaseVault");
        var lower = await app.Arm.GetAsync($"/Subscriptions/{ArmTestClient.Sub}/resourcegroups/{rg.ToUpperInvariant()}/providers/microsoft.recoveryservices/Vaults/casevault");
        Assert.Equal("CaseVault", lower["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_default_subscription_is_listed()
    {
        var app = await EmulatorApp.SharedAsync();
        var subs = JsonNode.Parse(await app.Client.GetStringAsync("/subscriptions?api-version=2019-11-01"))!["value"]!.AsArray();
        Assert.Equal(ArmTestClient.Sub, Assert.Single(subs)!["subscriptionId"]!.GetValue<string>());
    }
}

public sealed class ArmPagingAndProviderTests
{
    [Fact]
    public async Task Lists_page_with_nextLink_and_strict_mode_refuses_unknown_versions_saying_how_to_relax()
    {
        using var app = await EmulatorApp.StartAsync(settings: new() { ["Emulator:PageSize"] = "2", ["Emulator:StrictApiVersions"] = "true" });
        for (var i = 0; i < 5; i++) await app.Arm.PutVmAsync("rg-page", $"vm{i}");
        await app.Arm.PutVaultAsync("rg-page", "vault1");
        var names = new List<string>();
        string? next = ArmTestClient.WithVersion(ArmTestClient.VaultPath("rg-page", "vault1") + "/backupProtectableItems?$filter=" + Uri.EscapeDataString("backupManagementType eq 'AzureIaasVM'"));
        var pages = 0;
        while (next is not null)
        {
            var page = JsonNode.Parse(await app.Client.GetStringAsync(next))!;
            names.AddRange(page["value"]!.AsArray().Select(v => v!["properties"]!["friendlyName"]!.GetValue<string>()));
            next = page["nextLink"]?.GetValue<string>();
            Assert.True(++pages <= 3);
        }
        Assert.Equal(["vm0", "vm1", "vm2", "vm3", "vm4"], names.Order());
        Assert.Equal(3, pages);

        using var strict = await app.Client.GetAsync(ArmTestClient.VaultPath("rg-page", "vault1") + "?api-version=2021-12-01");
        Assert.Equal(HttpStatusCode.BadRequest, strict.StatusCode);
        Assert.Contains("StrictApiVersions=false", await strict.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await app.Client.GetAsync(ArmTestClient.VaultPath("rg-page", "vault1") + "?api-version=2022-10-01")).StatusCode);
        // Strict lists are per provider: the newest SDKs' defaults where they are sent, not elsewhere.
        Assert.Equal(HttpStatusCode.OK, (await app.Client.GetAsync(ArmTestClient.VaultPath("rg-page", "vault1") + "?api-version=2026-07-01")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.Client.GetAsync(ArmTestClient.VmPath("rg-page", "vm0") + "?api-version=2026-04-01")).StatusCode);
        using var notCompute = await app.Client.GetAsync(ArmTestClient.VmPath("rg-page", "vm0") + "?api-version=2026-07-01");
        Assert.Equal(HttpStatusCode.BadRequest, notCompute.StatusCode);
        Assert.Contains("Microsoft.Compute", await notCompute.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Provider_metadata_names_nested_resource_types_with_a_first_api_version()
    {
        var app = await EmulatorApp.SharedAsync();
        var rs = await app.Arm.GetAsync($"/subscriptions/{ArmTestClient.Sub}/providers/Microsoft.RecoveryServices", "2022-12-01");
        Assert.Equal($"/subscriptions/{ArmTestClient.Sub}/providers/Microsoft.RecoveryServices", rs["id"]!.GetValue<string>());
        var items = rs["resourceTypes"]!.AsArray().Single(t => t!["resourceType"]!.GetValue<string>() == "vaults/backupFabrics/protectionContainers/protectedItems")!;
        Assert.Equal("2025-02-01", items["apiVersions"]![0]!.GetValue<string>());
        var compute = await app.Arm.GetAsync($"/subscriptions/{ArmTestClient.Sub}/providers/microsoft.compute", "2022-12-01");
        var extensions = compute["resourceTypes"]!.AsArray().Single(t => t!["resourceType"]!.GetValue<string>() == "virtualMachines/extensions")!;
        Assert.Contains("2026-04-01", extensions["apiVersions"]!.AsArray().Select(v => v!.GetValue<string>())); // @azure/arm-compute 25.x
        Assert.Contains("2026-07-01", rs["resourceTypes"]!.AsArray().Single(t => t!["resourceType"]!.GetValue<string>() == "vaults")!["apiVersions"]!.AsArray().Select(v => v!.GetValue<string>()));
    }
}

public sealed class ArmPathTests
{
    [Fact]
    public async Task Empty_path_segments_collapse_as_ARM_does()
    {
        var app = await EmulatorApp.SharedAsync();
        // The az CLI's generic-resource client sends '//' before a storage account name.
        var sa = await app.Arm.GetAsync(ArmTestClient.Rg("rg-slash") + "/providers/Microsoft.Storage/storageAccounts//sa1", "2016-01-01");
        Assert.Equal(ArmTestClient.Rg("rg-slash") + "/providers/Microsoft.Storage/storageAccounts/sa1", sa["id"]!.GetValue<string>());
    }
}
