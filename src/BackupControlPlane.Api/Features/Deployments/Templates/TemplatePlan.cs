using System.Text.Json.Nodes;

namespace BackupControlPlane.Api.Features.Deployments.Templates;

/// <summary>What a deployment will do: its resources in dependency order, its parameters, and its outputs (evaluated last).</summary>
public sealed class TemplatePlan
{
    private readonly TemplateState _state;
    private readonly HashSet<string> _secure;

    internal TemplatePlan(TemplateState state, IReadOnlyList<PlannedResource> resources, HashSet<string> secure)
    {
        _state = state;
        _secure = secure;
        Resources = resources;
    }

    /// <summary>Topological order (each after its DependsOn); condition-false resources are left out.</summary>
    public IReadOnlyList<PlannedResource> Resources { get; }

    /// <summary>The evaluated parameters, <c>{"name":{"type":"String","value":…}}</c>; secure ones carry no value.</summary>
    public JsonObject Parameters => new(_state.Parameters.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)Typed(TypeOf(p.Key, p.Value), p.Value))));

    /// <summary>
    /// The template's outputs, <c>{"name":{"type":"String","value":…}}</c>, evaluated after the resources are deployed.
    /// Failures are <c>DeploymentOutputEvaluationFailed</c> naming the output, as ARM reports them.
    /// </summary>
    public async Task<JsonObject> EvaluateOutputsAsync(CancellationToken ct)
    {
        try
        {
            return await _state.RunAsync(() => Outputs.Evaluate(_state), ct);
        }
        catch (TemplateException e) when (e.Code == TemplateException.InvalidTemplate)
        {
            var name = e.Target?.Split('.', '[').ElementAtOrDefault(1) ?? "";
            throw new TemplateException(OutputEvaluationFailed,
                $"Unable to evaluate template outputs: '{name}'. Please see error details and deployment operations. Please see https://aka.ms/arm-common-errors for usage details. '{e.Message}'", e.Target);
        }
    }

    public const string OutputEvaluationFailed = "DeploymentOutputEvaluationFailed";

    /// <summary>
    /// Secure as the binding resolved it (through a <c>$ref</c> to a user-defined type too), else the declared type: a
    /// secure value never reaches the deployment's stored and shown parameters.
    /// </summary>
    private string TypeOf(string name, JsonNode? value) =>
        _secure.Contains(name) ? value is JsonObject ? "secureObject" : "securestring" : DeclaredType(name);

    private string DeclaredType(string name) =>
        TemplateValues.AsString((_state.Template["parameters"] as JsonObject)?[name]?["type"]) ?? "Object";

    /// <summary>ARM's rendering of a typed value: the type in Pascal case, no value for secure types.</summary>
    internal static JsonObject Typed(string declaredType, JsonNode? value)
    {
        var type = declaredType.ToLowerInvariant() switch
        {
            "string" => "String", "securestring" => "SecureString", "int" => "Int", "bool" => "Bool",
            "object" => "Object", "secureobject" => "SecureObject", "array" => "Array", _ => declaredType,
        };
        var result = new JsonObject { ["type"] = type };
        if (!type.StartsWith("Secure", StringComparison.Ordinal)) result["value"] = TemplateValues.Copy(value);
        return result;
    }
}
