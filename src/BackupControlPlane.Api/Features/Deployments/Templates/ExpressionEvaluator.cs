using System.Text.Json.Nodes;
using BackupControlPlane.Api.Features.Deployments.Templates.Expressions;

namespace BackupControlPlane.Api.Features.Deployments.Templates;

/// <summary>
/// Evaluates expressions and whole template values: strings <c>"[…]"</c> are expressions, objects may hold property
/// <c>copy</c> loops and expression keys, everything else is copied as it is.
/// </summary>
public static class ExpressionEvaluator
{
    public static JsonNode? Evaluate(Expression expression, EvaluationScope scope) => expression switch
    {
        LiteralExpression literal => TemplateValues.Copy(literal.Value),
        CallExpression call => Call(call, scope),
        MemberExpression member => Member(Evaluate(member.Target, scope), member.Name, member.Safe),
        IndexExpression index => Index(Evaluate(index.Target, scope), Evaluate(index.Index, scope), index.Safe),
        _ => throw new InvalidOperationException(expression.GetType().Name),
    };

    /// <summary>A template string: an expression's value, or the (unescaped) text itself.</summary>
    public static JsonNode? EvaluateString(string text, EvaluationScope scope) =>
        ExpressionParser.IsExpression(text) ? Evaluate(scope.State.Parse(text), scope) : JsonValue.Create(ExpressionParser.Unescape(text));

    /// <summary>Evaluates every expression in a template value; errors name <paramref name="path"/>.</summary>
    public static JsonNode? EvaluateTree(JsonNode? node, EvaluationScope scope, string path)
    {
        try
        {
            return node switch
            {
                JsonObject obj => EvaluateObject(obj, scope, path),
                JsonArray array => new JsonArray(array.Select((item, i) => EvaluateTree(item, scope, $"{path}[{i}]")).ToArray()),
                JsonValue value when TemplateValues.AsString(value) is { } text => EvaluateString(text, scope),
                _ => TemplateValues.Copy(node),
            };
        }
        catch (TemplateException e) when (e.Target is null)
        {
            throw e.At(path);
        }
    }

    private static JsonObject EvaluateObject(JsonObject obj, EvaluationScope scope, string path)
    {
        var result = new JsonObject();
        foreach (var (key, value) in obj)
        {
            if (key == "copy" && value is JsonArray loops && loops.All(l => l is JsonObject o && o.ContainsKey("input")))
            {
                for (var i = 0; i < loops.Count; i++) ExpandPropertyLoop((JsonObject)loops[i]!, scope, $"{path}.copy[{i}]", result);
                continue;
            }
            var name = ExpressionParser.IsExpression(key)
                ? TemplateValues.AsString(EvaluateString(key, scope)) ?? throw TemplateException.Invalid($"The property name expression '{key}' must evaluate to a string.", path)
                : ExpressionParser.Unescape(key);
            result[name] = EvaluateTree(value, scope, $"{path}.{key}");
        }
        return result;
    }

    /// <summary><c>"copy":[{"name","count","input"}]</c> inside properties or variables: builds the array <c>name</c>.</summary>
    internal static void ExpandPropertyLoop(JsonObject loop, EvaluationScope scope, string path, JsonObject into)
    {
        var name = TemplateValues.AsString(loop["name"]) ?? throw TemplateException.Invalid("The copy property 'name' must be a string.", path);
        var count = CopyCount(loop["count"], scope, path);
        var items = new JsonArray();
        for (var i = 0; i < count; i++) items.Add(EvaluateTree(loop["input"], scope.WithCopyIndex(name, i, named: true), $"{path}.input"));
        into[name] = items;
    }

    internal static long CopyCount(JsonNode? countNode, EvaluationScope scope, string path)
    {
        var value = EvaluateTree(countNode, scope.WithReferences(false), $"{path}.count");
        if (value is null || !TemplateValues.TryLong(value, out var count) || count < 0 || count > 800)
            throw TemplateException.Invalid(
                $"The template copy count '{TemplateValues.ToText(value)}' is not valid: it must be an integer between 0 and 800.", $"{path}.count");
        return count;
    }

    private static JsonNode? Call(CallExpression call, EvaluationScope scope)
    {
        var state = scope.State;
        if (call.Name.Contains('.'))
            return state.UserFunctions.Invoke(call, scope);
        if (state.Functions.TryGetValue(call.Name, out var definition))
        {
            if (call.Arguments.Count < definition.MinArgs || call.Arguments.Count > definition.MaxArgs)
                throw TemplateException.Invalid($"Unable to evaluate template language function '{call.Name}': {Arity(definition, call.Arguments.Count)}");
            return definition.Invoke(new FunctionCall(call.Name, call.Arguments, scope));
        }
        if (call.Name.StartsWith("list", StringComparison.OrdinalIgnoreCase))
            return ResourceFunctions.ListAction(new FunctionCall(call.Name, call.Arguments, scope));
        throw TemplateException.Invalid($"The template function '{call.Name}' is not valid. Please see https://aka.ms/arm-functions for usage details.");
    }

    private static string Arity(FunctionDefinition d, int given) => d.MinArgs == d.MaxArgs
        ? $"function requires {d.MinArgs} argument(s) while {given} were provided."
        : given < d.MinArgs
            ? $"function requires at least {d.MinArgs} argument(s) while {given} were provided."
            : $"function requires at most {d.MaxArgs} argument(s) while {given} were provided.";

    private static JsonNode? Member(JsonNode? target, string name, bool safe)
    {
        if (target is JsonObject obj)
        {
            if (TemplateValues.HasProperty(obj, name)) return TemplateValues.Copy(TemplateValues.Property(obj, name));
            if (safe) return null;
            throw TemplateException.Invalid(
                $"The language expression property '{name}' doesn't exist, available properties are '{string.Join(", ", obj.Select(p => p.Key))}'.");
        }
        if (safe && target is null) return null;
        throw TemplateException.Invalid(
            $"The language expression property '{name}' can't be evaluated, property name must be a string and the value must be an object; it is of type '{TemplateValues.KindOf(target)}'.");
    }

    private static JsonNode? Index(JsonNode? target, JsonNode? index, bool safe)
    {
        if (TemplateValues.AsString(index) is { } name) return Member(target, name, safe);
        if (target is JsonArray array && index is not null && TemplateValues.TryLong(index, out var i))
        {
            if (i >= 0 && i < array.Count) return TemplateValues.Copy(array[(int)i]);
            if (safe) return null;
            throw TemplateException.Invalid($"The language expression property array index '{i}' is out of bounds.");
        }
        if (safe && target is null) return null;
        throw TemplateException.Invalid(
            $"The language expression property access '[{TemplateValues.ToText(index)}]' can't be applied to a value of type '{TemplateValues.KindOf(target)}'.");
    }
}
