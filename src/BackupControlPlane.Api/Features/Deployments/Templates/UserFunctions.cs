using System.Collections.Immutable;
using System.Text.Json.Nodes;
using BackupControlPlane.Api.Features.Deployments.Templates.Expressions;

namespace BackupControlPlane.Api.Features.Deployments.Templates;

/// <summary>
/// The template's <c>functions</c> (Bicep's <c>func</c> declarations): <c>namespace.name(args)</c> evaluates the
/// member's <c>output.value</c> where parameters('p') are the arguments and nothing else of the template is visible.
/// </summary>
internal sealed class UserFunctions
{
    private readonly Dictionary<string, JsonObject> _members = new(StringComparer.OrdinalIgnoreCase);

    public UserFunctions(JsonNode? declarations)
    {
        if (declarations is null) return;
        if (declarations is not JsonArray namespaces)
            throw TemplateException.Invalid("The template 'functions' must be an array of namespaces.", "functions");
        foreach (var ns in namespaces.OfType<JsonObject>())
        {
            var prefix = TemplateValues.AsString(ns["namespace"])
                ?? throw TemplateException.Invalid("Each template function namespace needs a 'namespace' name.", "functions");
            foreach (var (name, member) in ns["members"] as JsonObject ?? [])
                _members[$"{prefix}.{name}"] = member as JsonObject
                    ?? throw TemplateException.Invalid($"The template function '{prefix}.{name}' must be an object.", $"functions.{prefix}.{name}");
        }
    }

    public JsonNode? Invoke(CallExpression call, EvaluationScope scope)
    {
        if (!_members.TryGetValue(call.Name, out var member))
            throw TemplateException.Invalid($"The template function '{call.Name}' is not valid. Please see https://aka.ms/arm-functions for usage details.");
        var declared = member["parameters"] as JsonArray ?? [];
        if (declared.Count != call.Arguments.Count)
            throw TemplateException.Invalid(
                $"Unable to evaluate template language function '{call.Name}': function requires {declared.Count} argument(s) while {call.Arguments.Count} were provided.");
        var parameters = ImmutableDictionary.Create<string, JsonNode?>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < declared.Count; i++)
        {
            var name = TemplateValues.AsString(declared[i]?["name"]) ?? $"p{i}";
            parameters = parameters.SetItem(name, ExpressionEvaluator.Evaluate(call.Arguments[i], scope));
        }
        var output = member["output"] as JsonObject
            ?? throw TemplateException.Invalid($"The template function '{call.Name}' has no 'output'.", $"functions.{call.Name}");
        return ExpressionEvaluator.EvaluateTree(output["value"], scope.ForUserFunction(parameters), $"functions.{call.Name}.output.value");
    }
}
