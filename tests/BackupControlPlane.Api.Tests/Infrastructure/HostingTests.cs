using System.Net;
using Microsoft.Extensions.Configuration;

namespace BackupControlPlane.Api.Tests.Infrastructure;

public sealed class HostingTests
{
    [Fact]
    public async Task The_root_appsettings_json_is_loaded()
    {
        var app = await EmulatorApp.SharedAsync();
        var config = app.Service<IConfiguration>();
        // This key exists only in the repository's appsettings.json, not in any code default.
        Assert.Equal("Warning", config["Logging:LogLevel:Hangfire"]);
    }

    [Fact]
    public async Task Health_routes_answer_without_authentication()
    {
        var app = await EmulatorApp.SharedAsync();
        using var live = await app.Client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        using var ready = await app.Client.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Swagger_UI_is_served()
    {
        var app = await EmulatorApp.SharedAsync();
        using var ui = await app.Client.GetAsync("/swagger/index.html");
        Assert.Equal(HttpStatusCode.OK, ui.StatusCode);
    }
}

public sealed class SwaggerExampleTests
{
    [Fact]
    public async Task Swagger_UI_offers_Azure_shaped_request_examples_for_the_calls_made_by_hand()
    {
        var app = await EmulatorApp.SharedAsync();
        var doc = System.Text.Json.Nodes.JsonNode.Parse(await app.Client.GetStringAsync("/openapi/v1.json"))!;
        var paths = doc["paths"]!.AsObject();
        System.Text.Json.Nodes.JsonNode? Example(string suffix, string method) =>
            paths.Single(p => p.Key.EndsWith(suffix))!.Value![method]!["requestBody"]!["content"]!["application/json"]!["example"];
        Assert.Equal("Microsoft.Compute/virtualMachines", Example("/protectedItems/{protectedItemName}", "put")!["properties"]!["protectedItemType"]!.GetValue<string>());
        Assert.Equal("Weekly", Example("/backupPolicies/{policyName}", "put")!["properties"]!["schedulePolicy"]!["scheduleRunFrequency"]!.GetValue<string>());
        Assert.Equal("RestoreDisks", Example("/restore", "post")!["properties"]!["recoveryType"]!.GetValue<string>());
        Assert.Equal("IaasVMBackupRequest", Example("/backup", "post")!["properties"]!["objectType"]!.GetValue<string>());
    }
}
