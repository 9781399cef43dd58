using System.Text.Json.Nodes;
using V = BackupControlPlane.Api.Features.Deployments.Templates.TemplateValues;

namespace BackupControlPlane.Api.Features.Deployments.Templates;

/// <summary>
/// Binds the deployment's parameter values to the template's declarations: unknown names, Key Vault references,
/// missing values, wrong types and values outside allowedValues/min/max are refused as ARM refuses them; defaults are
/// evaluated in order (they may use earlier parameters, utcNow() and newGuid()).
/// </summary>
internal static class TemplateParameters
{
    public static (JsonObject Values, HashSet<string> Secure) Bind(TemplateState state, JsonObject? provided)
    {
        var declarations = state.Template["parameters"] as JsonObject ?? [];
        provided ??= [];
        var unknown = provided.Where(p => !V.HasProperty(declarations, p.Key)).Select(p => p.Key).ToList();
        if (unknown.Count > 0)
            throw TemplateException.Invalid(
                $"The template parameters '{string.Join(", ", unknown)}' in the parameters file are not valid; they are not present in the original template and can therefore not be provided at deployment time. The only supported parameters for this template are '{string.Join(", ", declarations.Select(d => d.Key))}'. Please see https://aka.ms/arm-pass-parameter-values for usage details.",
                "properties.parameters");

        var secure = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, node) in declarations)
        {
            var path = $"parameters.{name}";
            var declaration = Resolve(state.Template, node as JsonObject ?? throw TemplateException.Invalid($"The template parameter '{name}' must be an object.", path), path);
            var type = (V.AsString(declaration["type"]) ?? throw TemplateException.Invalid($"The template parameter '{name}' has no 'type'.", path)).ToLowerInvariant();
            if (type.StartsWith("secure")) secure.Add(name);
            var value = ValueOf(state, name, declaration, V.HasProperty(provided, name) ? V.Property(provided, name) : null, path);
            Validate(state.Template, name, type, declaration, value, path);
            state.Parameters[name] = value;
        }
        return (state.Parameters, secure);
    }

    /// <summary>languageVersion 2.0 types: <c>"$ref": "#/definitions/x"</c> takes the definition's constraints.</summary>
    private static JsonObject Resolve(JsonObject template, JsonObject declaration, string path)
    {
        if (V.AsString(declaration["$ref"]) is not { } reference) return declaration;
        var name = reference.StartsWith("#/definitions/") ? reference["#/definitions/".Length..] : null;
        if (name is null || (template["definitions"] as JsonObject)?[name] is not JsonObject definition)
            throw TemplateException.Invalid($"The type reference '{reference}' is not defined in the template's definitions.", path);
        var merged = (JsonObject)Resolve(template, definition, path).DeepClone();
        foreach (var (key, value) in declaration) if (key != "$ref") merged[key] = V.Copy(value);
        return merged;
    }

    private static JsonNode? ValueOf(TemplateState state, string name, JsonObject declaration, JsonNode? provided, string path)
    {
        if (provided is JsonObject given)
        {
            if (given.ContainsKey("reference"))
                throw TemplateException.Invalid(
                    $"The parameter '{name}' is a Key Vault reference; the emulator has no Microsoft.KeyVault, so pass the value itself.", path);
            if (given.ContainsKey("value")) return V.Copy(given["value"]);
            throw TemplateException.Invalid($"The value of the template parameter '{name}' must be given as {{\"value\": …}}.", path);
        }
        if (declaration.ContainsKey("defaultValue"))
            return ExpressionEvaluator.EvaluateTree(declaration["defaultValue"], new EvaluationScope(state).ForParameterDefault(), $"{path}.defaultValue");
        if (declaration["nullable"] is { } nullable && V.IsBool(nullable) && V.AsBool(nullable)) return null;
        throw TemplateException.Invalid(
            $"The value for the template parameter '{name}' is not provided. Please see https://aka.ms/arm-create-parameter-file for usage details.", path);
    }

    /// <summary>Type and constraints, then (languageVersion 2.0 types) each declared property and each array item.</summary>
    private static void Validate(JsonObject template, string name, string type, JsonObject declaration, JsonNode? value, string path)
    {
        Check(name, type, declaration, value, path);
        if (value is JsonObject obj && declaration["properties"] is JsonObject properties)
            foreach (var (property, node) in properties)
            {
                var inner = Resolve(template, node as JsonObject ?? [], path);
                var present = V.HasProperty(obj, property);
                if (!present && inner["nullable"] is { } n && V.IsBool(n) && V.AsBool(n)) continue;
                if (!present)
                    throw TemplateException.Invalid($"The provided value for the template parameter '{name}' is not valid. The property '{property}' is required.", path);
                Validate(template, $"{name}.{property}", (V.AsString(inner["type"]) ?? "object").ToLowerInvariant(), inner, V.Property(obj, property), path);
            }
        if (value is JsonArray array && declaration["items"] is JsonObject items)
        {
            var inner = Resolve(template, items, path);
            for (var i = 0; i < array.Count; i++)
                Validate(template, $"{name}[{i}]", (V.AsString(inner["type"]) ?? "object").ToLowerInvariant(), inner, array[i], path);
        }
    }

    private static void Check(string name, string type, JsonObject declaration, JsonNode? value, string path)
    {
        if (value is null && declaration["nullable"] is { } n && V.IsBool(n) && V.AsBool(n)) return;
        var expected = type switch
        {
            "string" or "securestring" => "String",
            "int" => "Integer",
            "bool" => "Boolean",
            "object" or "secureobject" => "Object",
            "array" => "Array",
            _ => throw TemplateException.Invalid($"The template parameter '{name}' has the type '{type}', which is not a template type (string, securestring, int, bool, object, secureObject, array).", path),
        };
        var actual = V.KindOf(value);
        if (actual != expected)
            throw TemplateException.Invalid(
                $"Template parameter JToken type is not valid. Expected '{expected}'. Actual '{actual}'. The template parameter is '{name}'. Please see https://aka.ms/arm-create-parameter-file for usage details.", path);
        if (declaration["allowedValues"] is JsonArray allowed)
        {
            var values = value is JsonArray items ? items.ToList() : [value];
            var bad = values.FirstOrDefault(v => !allowed.Any(a => Same(a, v)));
            if (bad is not null || (values.Count == 1 && values[0] is null && !allowed.Any(a => a is null)))
                throw TemplateException.Invalid(
                    $"The provided value '{V.ToText(bad)}' for the template parameter '{name}' is not valid. The parameter value is not part of the allowed value(s): '{string.Join(",", allowed.Select(V.ToText))}'.", path);
        }
        if (expected == "Integer" && V.TryLong(value!, out var number))
        {
            if (Bound(declaration, "minValue") is { } min && number < min)
                throw TemplateException.Invalid($"The provided value '{number}' for the template parameter '{name}' is not valid. The value must be at least {min}.", path);
            if (Bound(declaration, "maxValue") is { } max && number > max)
                throw TemplateException.Invalid($"The provided value '{number}' for the template parameter '{name}' is not valid. The value must be at most {max}.", path);
        }
        var length = value switch { JsonArray a => a.Count, _ when V.AsString(value) is { } s => s.Length, _ => -1 };
        if (length >= 0 && Bound(declaration, "minLength") is { } minLength && length < minLength)
            throw TemplateException.Invalid($"The provided value for the template parameter '{name}' is not valid. Length of the value should be greater than or equal to '{minLength}'.", path);
        if (length >= 0 && Bound(declaration, "maxLength") is { } maxLength && length > maxLength)
            throw TemplateException.Invalid($"The provided value for the template parameter '{name}' is not valid. Length of the value should be less than or equal to '{maxLength}'.", path);
    }

    private static bool Same(JsonNode? allowed, JsonNode? value) =>
        V.AsString(allowed) is { } a && V.AsString(value) is { } b ? a.Equals(b, StringComparison.OrdinalIgnoreCase) : V.DeepEquals(allowed, value);

    private static long? Bound(JsonObject declaration, string name) =>
        declaration[name] is { } node && V.TryLong(node, out var value) ? value : null;
}
