using System.Text.Json.Nodes;

namespace BackupControlPlane.Api.Tests.Infrastructure;

/// <summary>
/// The OpenAPI document describes every ARM operation well enough to call it from Swagger UI as it stands (see
/// Browser/SwaggerUiTests for the clicks themselves).
/// </summary>
public sealed class OpenApiArmDescriptionTests
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch", "head"];

    private static async Task<(JsonObject Document, List<(string Path, string Method, JsonObject Operation)> Arm)> DocumentAsync()
    {
        var app = await EmulatorApp.SharedAsync();
        var document = JsonNode.Parse(await app.Client.GetStringAsync("/openapi/v1.json"))!.AsObject();
        var arm = document["paths"]!.AsObject()
            .Where(p => p.Key.StartsWith("/subscriptions", StringComparison.Ordinal) || p.Key.StartsWith("/providers/", StringComparison.Ordinal))
            .SelectMany(p => p.Value!.AsObject().Where(o => Methods.Contains(o.Key)).Select(o => (p.Key, o.Key, o.Value!.AsObject())))
            .ToList();
        Assert.True(arm.Count > 60, $"only {arm.Count} ARM operations in the document");
        return (document, arm);
    }

    [Fact]
    public async Task Every_ARM_operation_declares_a_required_api_version_with_its_providers_default()
    {
        var (_, arm) = await DocumentAsync();
        var missing = arm.Where(o => !(o.Operation["parameters"]?.AsArray() ?? []).Any(p =>
            p!["name"]!.GetValue<string>() == "api-version" && p["in"]!.GetValue<string>() == "query" && p["required"]?.GetValue<bool>() == true
            && p["schema"]?["default"]?.GetValue<string>() is { Length: 10 })).Select(o => $"{o.Method} {o.Path}").ToList();
        Assert.True(missing.Count == 0, "No required api-version with a default: " + string.Join("\n", missing));

        string Version(string method, string path) => arm.Single(o => o.Method == method && o.Path == path).Operation["parameters"]!.AsArray()
            .Single(p => p!["name"]!.GetValue<string>() == "api-version")!["schema"]!["default"]!.GetValue<string>();
        Assert.Equal("2025-02-01", Version("get", "/subscriptions/{subscriptionId}/providers/Microsoft.RecoveryServices/vaults"));
        Assert.Equal("2024-07-01", Version("get", "/subscriptions/{subscriptionId}/providers/Microsoft.Compute/virtualMachines"));
    }

    [Fact]
    public async Task Every_path_parameter_has_a_description_and_a_working_example()
    {
        var (_, arm) = await DocumentAsync();
        var bare = arm.SelectMany(o => (o.Operation["parameters"]?.AsArray() ?? [])
                .Where(p => p!["in"]!.GetValue<string>() == "path"
                    && (string.IsNullOrWhiteSpace(p["description"]?.GetValue<string>()) || p["example"] is null))
                .Select(p => $"{p!["name"]} in {o.Method} {o.Path}"))
            .Distinct().ToList();
        Assert.True(bare.Count == 0, "Path parameters without a description or example:\n" + string.Join("\n", bare));

        var item = arm.Single(o => o.Method == "put" && o.Path.EndsWith("/protectedItems/{protectedItemName}")).Operation["parameters"]!.AsArray();
        string Example(string name) => item.Single(p => p!["name"]!.GetValue<string>() == name)!["example"]!.GetValue<string>();
        Assert.Equal(EmulatorApp.Subscription, Example("subscriptionId"));
        Assert.Equal("Azure", Example("fabricName"));
        Assert.Equal("IaasVMContainer;iaasvmcontainerv2;rg1;vm1", Example("containerName"));
        Assert.Equal("VM;iaasvmcontainerv2;rg1;vm1", Example("protectedItemName"));
    }

    [Fact]
    public async Task Long_running_operations_document_their_202_with_the_polling_headers()
    {
        var (_, arm) = await DocumentAsync();
        var lros = new[]
        {
            ("put", "/protectedItems/{protectedItemName}", true), ("delete", "/protectedItems/{protectedItemName}", true),
            ("post", "/protectedItems/{protectedItemName}/backup", true), ("post", "/recoveryPoints/{recoveryPointId}/restore", true),
            ("post", "/backupJobs/{jobName}/cancel", false), ("post", "/refreshContainers", false), ("delete", "/resourcegroups/{resourceGroupName}", false),
        };
        foreach (var (method, suffix, asyncOperation) in lros)
        {
            var (path, _, operation) = arm.Single(o => o.Method == method && o.Path.EndsWith(suffix, StringComparison.Ordinal));
            var accepted = operation["responses"]!["202"]?.AsObject();
            Assert.True(accepted is not null, $"{method} {path} does not document its 202");
            var headers = accepted!["headers"]!.AsObject();
            Assert.True(headers.ContainsKey("Location") && headers.ContainsKey("Retry-After"), $"{method} {path}: 202 without Location/Retry-After");
            Assert.Equal(asyncOperation, headers.ContainsKey("Azure-AsyncOperation"));
            Assert.False(operation["responses"]!.AsObject().ContainsKey("200"), $"{method} {path} documents a 200 it never answers");
        }
        // A synchronous create answers 201, and says so.
        Assert.NotNull(arm.Single(o => o.Method == "put" && o.Path.EndsWith("/vaults/{vaultName}")).Operation["responses"]!["201"]);
    }

    [Fact]
    public async Task Every_ARM_operation_documents_its_errors_in_ARMs_envelope_and_takes_the_bearer_token()
    {
        var (document, arm) = await DocumentAsync();
        var envelope = document["components"]!["schemas"]!["ArmErrorResponse"]!;
        Assert.Equal("#/components/schemas/ArmErrorDetail", envelope["properties"]!["error"]!["$ref"]!.GetValue<string>());
        var detail = document["components"]!["schemas"]!["ArmErrorDetail"]!["properties"]!.AsObject();
        Assert.Equal(["code", "message", "target", "details"], detail.Select(p => p.Key));
        Assert.Equal("bearer", document["components"]!["securitySchemes"]!["Bearer"]!["scheme"]!.GetValue<string>());

        foreach (var (path, method, operation) in arm.Where(o => o.Method != "head")) // a HEAD answer has no body
        {
            var responses = operation["responses"]!.AsObject();
            var expected = new List<string> { "400", "401" };
            if (path.Count(c => c == '{') > 1) expected.Add("404");
            if (method is "put" or "post" or "delete" or "patch") expected.Add("409");
            foreach (var status in expected)
                Assert.True(responses[status]?["content"]?["application/json"]?["schema"]?["$ref"]?.GetValue<string>() == "#/components/schemas/ArmErrorResponse",
                    $"{method} {path}: no {status} in ARM's error envelope");
            Assert.True(operation["security"]?[0]?["Bearer"] is not null, $"{method} {path}: no bearer security requirement");
        }
    }

    [Fact]
    public async Task The_resources_read_most_have_response_examples_in_the_walk_throughs_names()
    {
        var (_, arm) = await DocumentAsync();
        JsonNode Example(string suffix) => arm.Single(o => o.Method == "get" && o.Path.EndsWith(suffix, StringComparison.Ordinal))
            .Operation["responses"]!["200"]!["content"]!["application/json"]!["example"]!;
        Assert.Equal("v1", Example("/vaults/{vaultName}")["name"]!.GetValue<string>());
        Assert.Equal("VM;iaasvmcontainerv2;rg1;vm1", Example("/protectedItems/{protectedItemName}")["name"]!.GetValue<string>());
        Assert.Equal("AzureIaaSVMJob", Example("/backupJobs/{jobName}")["properties"]!["jobType"]!.GetValue<string>());
    }

    [Fact]
    public async Task Tags_follow_the_walk_through()
    {
        var (document, _) = await DocumentAsync();
        var tags = document["tags"]!.AsArray().Select(t => t!["name"]!.GetValue<string>()).ToList();
        Assert.Equal(["Microsoft.Compute (emulated VMs)", "Recovery Services vaults", "Backup policies", "Protected items", "Backup jobs and operations",
            "Recovery points", "Restore"], tags.Take(7));
    }
}
