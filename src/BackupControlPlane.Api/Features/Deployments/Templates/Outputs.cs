using System.Text.Json.Nodes;
using V = BackupControlPlane.Api.Features.Deployments.Templates.TemplateValues;

namespace BackupControlPlane.Api.Features.Deployments.Templates;

/// <summary>Evaluates <c>outputs</c>: condition, <c>copy</c> (count + input), type checked; secure outputs carry no value.</summary>
internal static class Outputs
{
    public static JsonObject Evaluate(TemplateState state)
    {
        var result = new JsonObject();
        var scope = new EvaluationScope(state).WithReferences(true);
        foreach (var (name, node) in state.Template["outputs"] as JsonObject ?? [])
        {
            var path = $"outputs.{name}";
            var declaration = node as JsonObject ?? throw TemplateException.Invalid($"The template output '{name}' must be an object.", path);
            if (declaration.ContainsKey("condition"))
            {
                var condition = ExpressionEvaluator.EvaluateTree(declaration["condition"], scope, $"{path}.condition");
                if (!V.IsBool(condition)) throw TemplateException.Invalid("The output condition must be a boolean.", $"{path}.condition");
                if (!V.AsBool(condition!)) continue;
            }
            var type = V.AsString(declaration["type"]) ?? "object";
            var value = declaration["copy"] is JsonObject copy ? Loop(copy, scope, $"{path}.copy") : ExpressionEvaluator.EvaluateTree(declaration["value"], scope, $"{path}.value");
            Check(name, type, value, path);
            result[name] = TemplatePlan.Typed(type, value);
        }
        return result;
    }

    private static JsonArray Loop(JsonObject copy, EvaluationScope scope, string path)
    {
        var count = ExpressionEvaluator.CopyCount(copy["count"], scope, path);
        var items = new JsonArray();
        for (var i = 0; i < count; i++) items.Add(ExpressionEvaluator.EvaluateTree(copy["input"], scope.WithCopyIndex("", i), $"{path}.input"));
        return items;
    }

    private static void Check(string name, string type, JsonNode? value, string path)
    {
        var ok = type.ToLowerInvariant() switch
        {
            "string" or "securestring" => V.IsString(value),
            "int" => V.IsInteger(value),
            "bool" => V.IsBool(value),
            "object" or "secureobject" => value is JsonObject || value is null,
            "array" => value is JsonArray,
            _ => throw TemplateException.Invalid($"The template output '{name}' has the type '{type}', which is not a template type.", path),
        };
        if (!ok)
            throw TemplateException.Invalid($"The template output '{name}' is not valid: the value is of type '{V.KindOf(value)}' but the output is declared '{type}'.", path);
    }
}
