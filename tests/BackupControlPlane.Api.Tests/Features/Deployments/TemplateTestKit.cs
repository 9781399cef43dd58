using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using BackupControlPlane.Api.Features.Deployments.Templates;

namespace BackupControlPlane.Api.Tests.Features.Deployments;

/// <summary>Plans templates against a fixed context and an in-memory resource reader, for the template engine's unit tests.</summary>
internal static class TemplateTestKit
{
    public const string Subscription = "00000000-0000-0000-0000-000000000001";
    public const string Group = "rg1";
    public static readonly DateTimeOffset Now = new(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);

    public static DeploymentContext Context(FakeReader? reader = null, string? group = Group) =>
        new(Subscription, group, group is null ? null : "westeurope", "dep1", "11111111-1111-1111-1111-111111111111", "westeurope", Now, reader ?? new FakeReader());

    public static TemplatePlan Plan(string template, string? parameters = null, FakeReader? reader = null, string? group = Group) =>
        TemplateEngine.Plan(JsonNode.Parse(template)!.AsObject(), parameters is null ? null : JsonNode.Parse(parameters)!.AsObject(), Context(reader, group));

    /// <summary>The value <paramref name="expression"/> gives in a resource's properties (where every function may run).</summary>
    public static JsonNode? Eval(string expression, FakeReader? reader = null)
    {
        var template = new JsonObject
        {
            ["$schema"] = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
            ["contentVersion"] = "1.0.0.0",
            ["resources"] = new JsonArray(new JsonObject
            {
                ["type"] = "Microsoft.Test/things", ["apiVersion"] = "2020-01-01", ["name"] = "t",
                ["properties"] = new JsonObject { ["v"] = expression },
            }),
        };
        var plan = TemplateEngine.Plan(template, null, Context(reader));
        return plan.Resources[0].EvaluateBodyAsync(CancellationToken.None).GetAwaiter().GetResult()["properties"]!["v"];
    }

    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Json(JsonNode? node) => node?.ToJsonString(Relaxed) ?? "null";
}

/// <summary>An in-memory <see cref="IResourceReader"/> recording what the engine read.</summary>
internal sealed class FakeReader : IResourceReader
{
    public Dictionary<string, JsonObject> Resources { get; } = new(StringComparer.OrdinalIgnoreCase);
    public List<string> Calls { get; } = [];

    public Task<JsonObject?> GetAsync(string resourceId, string apiVersion, CancellationToken ct)
    {
        Calls.Add($"GET {resourceId}");
        return Task.FromResult(Resources.TryGetValue(resourceId, out var r) ? (JsonObject?)r.DeepClone().AsObject() : null);
    }

    public Task<JsonNode?> InvokeActionAsync(string resourceId, string action, string apiVersion, JsonNode? body, CancellationToken ct)
    {
        Calls.Add($"POST {resourceId}/{action}");
        return Task.FromResult<JsonNode?>(new JsonObject { ["keys"] = new JsonArray(new JsonObject { ["value"] = $"key-of-{resourceId.Split('/')[^1]}" }) });
    }
}
