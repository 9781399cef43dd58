using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml;

namespace BackupControlPlane.Api.Tests.Oracle;

public sealed record Violation(string Pointer, string Message)
{
    public override string ToString() => $"{(Pointer.Length == 0 ? "(body)" : Pointer)}: {Message}";
}

/// <summary>What the oracle says about one response. <see cref="Operation"/> is null when no spec operation matches.</summary>
public sealed record Verdict(SpecOperation? Operation, IReadOnlyList<Violation> Violations, IReadOnlyList<string> Undeclared)
{
    public bool Conforms => Violations.Count == 0;
}

/// <summary>
/// Checks response bodies against Azure's Swagger 2.0 schemas.
///
/// Hand-written rather than JsonSchema.Net: the documents are Swagger 2.0, not JSON Schema, and what matters here is
/// autorest's reading of them, which a JSON Schema validator does not know: "discriminator" picks the concrete
/// definition by x-ms-discriminator-value (or the definition name) among the allOf-subtypes, x-ms-enum with
/// modelAsString:true is an open enum, readOnly is fine in responses, and properties the schema does not name are
/// allowed (Azure adds fields) but reported. The schemas use only type, format, enum, properties, required,
/// additionalProperties, items, allOf and $ref (also across files), so the subset below is all of it.
///
/// Nulls: the emulator omits nulls, Azure sends some; a null is accepted for a property that is not required, and
/// for a required one only with x-nullable:true.
/// </summary>
public sealed class SpecValidator(OpenApiSpec spec)
{
    public static SpecValidator Azure { get; } = new(OpenApiSpec.Azure);

    public OpenApiSpec Spec => spec;

    /// <summary>
    /// Success codes older api-versions declare and the spec held here no longer does: (operation, status) → the first
    /// api-version without it. Vaults_Delete was a synchronous 200 up to 2024-01-01 (az 2.45's SDK raises on anything
    /// else) and is 202/204 from 2025-02-01 (reference azure-vault-security-iac.md §1.2).
    /// </summary>
    private static readonly Dictionary<(string OperationId, int Status), string> DeclaredBefore = new()
    {
        [("Vaults_Delete", 200)] = "2025-02-01",
    };

    /// <summary>Finds the operation for the request and checks the answer against the response declared for its status.</summary>
    public Verdict Check(string method, string pathAndQuery, int status, string body)
    {
        if (spec.Find(method, pathAndQuery) is not { } op) return new Verdict(null, [], []);
        if (DeclaredBefore.TryGetValue((op.OperationId, status), out var until) && body.Length == 0
            && System.Web.HttpUtility.ParseQueryString(new Uri("http://x" + pathAndQuery).Query)["api-version"] is { } version
            && string.CompareOrdinal(version, until) < 0)
            return new Verdict(op, [], []);
        return Check(op, status, body);
    }

    /// <summary>Checks an answer of a known operation against the response declared for its status.</summary>
    public Verdict Check(SpecOperation op, int status, string body)
    {
        var context = new Context();
        // An undeclared success code is a contract break; errors fall back to "default", as clients read them.
        var response = op.Responses[status.ToString(CultureInfo.InvariantCulture)] ?? (status >= 400 ? op.Responses["default"] : null);
        if (response is null)
            context.Fail("", $"status {status} is not declared for {op.OperationId} (declared: {string.Join(", ", op.Responses.Select(r => r.Key))})");
        else if (response["schema"] is not JsonObject schema)
        {
            if (body.Length > 0) context.Fail("", $"{op.OperationId} declares no body for {status}, got {Shorten(body)}");
        }
        else if (body.Length == 0) context.Fail("", $"{op.OperationId} declares a body for {status}, got none");
        else
        {
            try
            {
                Validate(new SpecSchema(op.File, schema, null), JsonNode.Parse(body), "", context, dispatched: false);
            }
            catch (JsonException e)
            {
                context.Fail("", $"not JSON: {e.Message}");
            }
        }
        return new Verdict(op, context.Violations, context.Undeclared);
    }

    /// <summary>Checks a value against one schema, for tests of the validator itself.</summary>
    public Verdict Validate(SpecSchema schema, JsonNode? value)
    {
        var context = new Context();
        Validate(schema, value, "", context, dispatched: false);
        return new Verdict(null, context.Violations, context.Undeclared);
    }

    private void Validate(SpecSchema schema, JsonNode? value, string at, Context context, bool dispatched)
    {
        schema = spec.Resolve(schema);
        var chain = spec.WithAncestors(schema);
        if (value is null)
        {
            if (!chain.Any(s => s.Node["x-nullable"]?.GetValue<bool>() == true)) context.Fail(at, $"null where {Describe(chain)} is expected");
            return;
        }

        // Polymorphism: validate against the concrete definition the discriminator value names.
        if (!dispatched && value is JsonObject polymorphic
            && chain.FirstOrDefault(s => s.Node["discriminator"] is not null) is { } root
            && polymorphic[root.Node["discriminator"]!.GetValue<string>()] is JsonValue tag && tag.GetValueKind() == JsonValueKind.String)
        {
            var property = root.Node["discriminator"]!.GetValue<string>();
            var candidates = spec.SelfAndSubtypes(schema).ToList();
            var concrete = candidates.FirstOrDefault(c => OpenApiSpec.DiscriminatorValue(c) == tag.GetValue<string>());
            if (concrete is null)
                context.Fail($"{at}/{property}", $"'{tag.GetValue<string>()}' is no {property} of {schema} (known: {string.Join(", ", candidates.Select(OpenApiSpec.DiscriminatorValue))})");
            else if (concrete.Node != schema.Node)
            {
                Validate(concrete, value, at, context, dispatched: true);
                return;
            }
        }

        var type = chain.Select(s => s.Node["type"]?.GetValue<string>()).FirstOrDefault(t => t is not null)
            ?? (chain.Any(s => s.Node["properties"] is not null || s.Node["additionalProperties"] is not null) ? "object" : null);
        switch (type)
        {
            case "object":
                if (value is JsonObject obj) ValidateObject(chain, obj, at, context);
                else context.Fail(at, $"expected an object ({schema}), got {Kind(value)}");
                break;
            case "array":
                if (value is not JsonArray array) context.Fail(at, $"expected an array, got {Kind(value)}");
                else if (chain.Select(s => (s, s.Node["items"] as JsonObject)).FirstOrDefault(x => x.Item2 is not null) is ({ } owner, { } items))
                    for (var i = 0; i < array.Count; i++) Validate(new SpecSchema(owner.File, items, null), array[i], $"{at}/{i}", context, dispatched: false);
                break;
            case "string" or "integer" or "number" or "boolean":
                ValidateScalar(chain, type, value, at, context);
                break;
        }
    }

    private void ValidateObject(IReadOnlyList<SpecSchema> chain, JsonObject obj, string at, Context context)
    {
        var properties = chain
            .SelectMany(s => (s.Node["properties"] as JsonObject ?? []).Select(p => (p.Key, Schema: new SpecSchema(s.File, (JsonObject)p.Value!, null))))
            .GroupBy(p => p.Key, p => p.Schema).ToDictionary(g => g.Key, g => g.ToList());
        var required = chain.SelectMany(s => s.Node["required"] as JsonArray ?? []).Select(r => r!.GetValue<string>()).ToHashSet();
        var additional = chain.Select(s => (s, s.Node["additionalProperties"])).FirstOrDefault(x => x.Item2 is not null);

        foreach (var name in required.Where(r => !obj.ContainsKey(r)))
            context.Fail($"{at}/{Escape(name)}", $"required property '{name}' of {chain[0]} is missing");
        foreach (var (name, value) in obj)
        {
            var here = $"{at}/{Escape(name)}";
            if (properties.TryGetValue(name, out var schemas))
            {
                // A null for an optional property is how Azure says "not set"; only required ones must carry a value.
                if (value is null && !required.Contains(name)) continue;
                foreach (var s in schemas) Validate(s, value, here, context, dispatched: false);
            }
            else if (additional.Item2 is JsonObject extra) Validate(new SpecSchema(additional.s.File, extra, null), value, here, context, dispatched: false);
            else if (additional.Item2 is JsonValue allowed && allowed.GetValue<bool>()) { }
            else context.Undeclare($"{here} (not in {chain[0]})");
        }
    }

    private static void ValidateScalar(IReadOnlyList<SpecSchema> chain, string type, JsonNode value, string at, Context context)
    {
        var kind = value is JsonValue v ? v.GetValueKind() : value is JsonObject ? JsonValueKind.Object : JsonValueKind.Array;
        var ok = type switch
        {
            "string" => kind == JsonValueKind.String,
            "boolean" => kind is JsonValueKind.True or JsonValueKind.False,
            "number" => kind == JsonValueKind.Number,
            "integer" => kind == JsonValueKind.Number && JsonSerializer.SerializeToElement(value).TryGetInt64(out _),
            _ => true,
        };
        if (!ok)
        {
            context.Fail(at, $"expected {type}, got {Kind(value)} {Shorten(value.ToJsonString())}");
            return;
        }
        var format = chain.Select(s => s.Node["format"]?.GetValue<string>()).FirstOrDefault(f => f is not null);
        if (type == "integer" && format == "int32" && !JsonSerializer.SerializeToElement(value).TryGetInt32(out _))
            context.Fail(at, $"{value.ToJsonString()} does not fit int32");
        if (type != "string") return;

        var text = value.GetValue<string>();
        if (format is not null && !FormatHolds(format, text)) context.Fail(at, $"'{text}' is not a valid {format}");
        // Closed enums only: x-ms-enum modelAsString:true lets the service add values.
        foreach (var s in chain.Where(s => s.Node["enum"] is JsonArray))
        {
            if (s.Node["x-ms-enum"]?["modelAsString"]?.GetValue<bool>() == true) continue;
            var values = s.Node["enum"]!.AsArray().Select(e => e!.GetValue<string>()).ToList();
            if (!values.Contains(text, StringComparer.Ordinal))
                context.Fail(at, $"'{text}' is not one of the closed enum {s.Node["x-ms-enum"]?["name"]?.GetValue<string>() ?? ""} [{string.Join(", ", values)}]");
        }
    }

    private static readonly Regex DateTime = new(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$", RegexOptions.IgnoreCase);

    private static bool FormatHolds(string format, string text) => format switch
    {
        "date-time" => DateTime.IsMatch(text),
        "date" => System.DateTime.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
        "duration" => TryDuration(text),
        "uuid" => Guid.TryParse(text, out _),
        _ => true,
    };

    private static bool TryDuration(string text)
    {
        try
        {
            XmlConvert.ToTimeSpan(text);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static string Describe(IReadOnlyList<SpecSchema> chain) =>
        chain.Select(s => s.Node["type"]?.GetValue<string>()).FirstOrDefault(t => t is not null) ?? chain[0].ToString();

    private static string Kind(JsonNode? value) => value switch
    {
        null => "null",
        JsonObject => "an object",
        JsonArray => "an array",
        JsonValue v => v.GetValueKind().ToString().ToLowerInvariant(),
        _ => "?",
    };

    private static string Escape(string name) => name.Replace("~", "~0").Replace("/", "~1");

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "...";

    private sealed class Context
    {
        private readonly HashSet<Violation> _seen = [];
        public List<Violation> Violations { get; } = [];
        public List<string> Undeclared { get; } = [];

        public void Fail(string pointer, string message)
        {
            var v = new Violation(pointer, message);
            if (_seen.Add(v)) Violations.Add(v);
        }

        public void Undeclare(string what) => Undeclared.Add(what);
    }
}
