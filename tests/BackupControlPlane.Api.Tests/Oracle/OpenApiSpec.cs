using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace BackupControlPlane.Api.Tests.Oracle;

/// <summary>One loaded Swagger 2.0 file.</summary>
public sealed class SpecFile(string path, JsonObject root)
{
    public string Path { get; } = path;
    public JsonObject Root { get; } = root;
    public JsonObject Definitions => Root["definitions"] as JsonObject ?? [];
}

/// <summary>A schema object inside a spec file; <see cref="Name"/> is set when it is a named definition.</summary>
public sealed record SpecSchema(SpecFile File, JsonObject Node, string? Name)
{
    public override string ToString() => Name ?? "(inline schema)";
}

public sealed record SpecOperation(SpecFile File, string Method, string PathTemplate, string OperationId, JsonObject Node, Regex Pattern, int Literals)
{
    public JsonObject Responses => Node["responses"] as JsonObject ?? [];

    /// <summary>The status codes the spec lists explicitly ("default" excluded).</summary>
    public IReadOnlyList<int> DeclaredStatuses => Responses.Select(r => r.Key).Where(k => k != "default").Select(int.Parse).Order().ToList();

    /// <summary>The x-ms-examples files that are present next to the spec (only a subset of Azure's was copied).</summary>
    public IEnumerable<string> ExampleFiles =>
        (Node["x-ms-examples"] as JsonObject ?? []).Select(e => e.Value?["$ref"]?.GetValue<string>())
            .OfType<string>()
            .Select(r => System.IO.Path.GetFullPath(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(File.Path)!, r)))
            .Where(System.IO.File.Exists);

    public override string ToString() => $"{OperationId} ({Method} {PathTemplate})";
}

/// <summary>
/// Azure's OpenAPI (Swagger 2.0) documents, loaded with every file they $ref, so that responses can be checked
/// against them. Everything is read once up front and never changes, so parallel tests can share one instance.
/// </summary>
public sealed class OpenApiSpec
{
    public const string Bms = "recoveryservicesbackup/resource-manager/Microsoft.RecoveryServices/stable/2025-02-01/bms.json";
    public const string Vaults = "recoveryservices/resource-manager/Microsoft.RecoveryServices/stable/2025-02-01/vaults.json";

    public static string SpecRoot => Path.Combine(AppContext.BaseDirectory, "Oracle", "specs");

    private static readonly Lazy<OpenApiSpec> AzureSpec = new(() => Load(SpecRoot, Bms, Vaults));

    /// <summary>bms.json and vaults.json 2025-02-01, the reference version of the emulator.</summary>
    public static OpenApiSpec Azure => AzureSpec.Value;

    private static readonly string[] Methods = ["get", "put", "post", "patch", "delete", "head"];

    private readonly Dictionary<string, SpecFile> _files = new(StringComparer.Ordinal);
    private readonly Dictionary<(SpecFile, string), List<string>> _children = [];

    public IReadOnlyList<SpecOperation> Operations { get; }

    private OpenApiSpec(string root, string[] documents)
    {
        var ops = new List<SpecOperation>();
        foreach (var doc in documents)
        {
            var file = LoadFile(Path.GetFullPath(Path.Combine(root, doc)));
            foreach (var (template, item) in file.Root["paths"] as JsonObject ?? [])
                foreach (var method in Methods)
                    if (item?[method] is JsonObject op)
                        ops.Add(new SpecOperation(file, method.ToUpperInvariant(), template, op["operationId"]!.GetValue<string>(), op,
                            PathPattern(template), Regex.Replace(template, @"\{[^}]+\}", "").Length));
        }
        Operations = ops;
        foreach (var file in _files.Values) IndexSubtypes(file);
    }

    public static OpenApiSpec Load(string root, params string[] documents) => new(root, documents);

    public SpecFile File(string relativeToRoot) => _files[Path.GetFullPath(Path.Combine(SpecRoot, relativeToRoot))];

    public SpecOperation Operation(string operationId, string document = Bms) =>
        Operations.Single(o => o.OperationId == operationId && o.File == File(document));

    /// <summary>
    /// The operation whose path template matches: case-insensitive (BMS paths start with "/Subscriptions/"),
    /// a parameter matches one segment, and of several matches the one with most literal text wins
    /// (backupJobs/operationResults/{id} before backupJobs/{jobName}).
    /// </summary>
    public SpecOperation? Find(string method, string pathAndQuery)
    {
        var path = pathAndQuery.Split('?')[0].TrimEnd('/');
        return Operations.Where(o => o.Method.Equals(method, StringComparison.OrdinalIgnoreCase) && o.Pattern.IsMatch(path))
            .OrderByDescending(o => o.Literals).FirstOrDefault();
    }

    /// <summary>Follows $ref until a schema without one.</summary>
    public SpecSchema Resolve(SpecSchema schema)
    {
        for (var hops = 0; schema.Node["$ref"] is JsonValue r; hops++)
        {
            if (hops > 32) throw new InvalidOperationException($"$ref cycle at {r} in {schema.File.Path}");
            schema = Reference(schema.File, r.GetValue<string>());
        }
        return schema;
    }

    /// <summary>The names of the query parameters an operation declares (api-version, $filter, ...).</summary>
    public IReadOnlySet<string> QueryParameters(SpecOperation op) =>
        (op.Node["parameters"] as JsonArray ?? []).Select(p => Resolve(new SpecSchema(op.File, (JsonObject)p!, null)).Node)
            .Where(p => p["in"]?.GetValue<string>() == "query").Select(p => p["name"]!.GetValue<string>()).ToHashSet();

    /// <summary>The schema plus everything it inherits through allOf, nearest first.</summary>
    public IReadOnlyList<SpecSchema> WithAncestors(SpecSchema schema)
    {
        var chain = new List<SpecSchema>();
        var pending = new Stack<SpecSchema>([Resolve(schema)]);
        while (pending.TryPop(out var s))
        {
            if (chain.Any(c => c.Node == s.Node)) continue;
            chain.Add(s);
            foreach (var part in (s.Node["allOf"] as JsonArray ?? []).Reverse())
                pending.Push(Resolve(new SpecSchema(s.File, (JsonObject)part!, null)));
        }
        return chain;
    }

    /// <summary>The definition itself and every definition that inherits from it (allOf), in its file.</summary>
    public IEnumerable<SpecSchema> SelfAndSubtypes(SpecSchema definition)
    {
        if (definition.Name is null) return [definition];
        var seen = new List<string>();
        var pending = new Queue<string>([definition.Name]);
        while (pending.TryDequeue(out var name))
        {
            if (seen.Contains(name)) continue;
            seen.Add(name);
            foreach (var child in _children.GetValueOrDefault((definition.File, name)) ?? []) pending.Enqueue(child);
        }
        return seen.Select(n => new SpecSchema(definition.File, (JsonObject)definition.File.Definitions[n]!, n));
    }

    /// <summary>A definition's discriminator value: x-ms-discriminator-value, else its name (autorest's rule).</summary>
    public static string? DiscriminatorValue(SpecSchema definition) =>
        definition.Node["x-ms-discriminator-value"]?.GetValue<string>() ?? definition.Name;

    private SpecSchema Reference(SpecFile from, string reference)
    {
        var hash = reference.IndexOf('#');
        var filePart = hash < 0 ? reference : reference[..hash];
        var pointer = hash < 0 ? "" : reference[(hash + 1)..];
        var file = filePart.Length == 0 ? from : _files[Path.GetFullPath(Path.Combine(Path.GetDirectoryName(from.Path)!, filePart))];
        JsonNode? node = file.Root;
        var segments = pointer.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(s => s.Replace("~1", "/").Replace("~0", "~")).ToList();
        foreach (var segment in segments) node = node?[segment];
        if (node is not JsonObject obj) throw new InvalidOperationException($"$ref '{reference}' in {from.Path} does not resolve.");
        var name = segments.Count == 2 && segments[0] == "definitions" ? segments[1] : null;
        return new SpecSchema(file, obj, name);
    }

    /// <summary>Loads a file and, transitively, every file its $refs name (x-ms-examples are not schemas: left out).</summary>
    private SpecFile LoadFile(string fullPath)
    {
        if (_files.TryGetValue(fullPath, out var known)) return known;
        var file = new SpecFile(fullPath, JsonNode.Parse(System.IO.File.ReadAllText(fullPath))!.AsObject());
        _files[fullPath] = file;
        foreach (var reference in References(file.Root).Where(r => r.Contains('#') && !r.StartsWith('#')))
            LoadFile(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(fullPath)!, reference[..reference.IndexOf('#')])));
        return file;
    }

    private static IEnumerable<string> References(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => p.Key == "$ref" && p.Value is JsonValue v ? [v.GetValue<string>()] : References(p.Value)),
        JsonArray a => a.SelectMany(References),
        _ => [],
    };

    private void IndexSubtypes(SpecFile file)
    {
        foreach (var (name, definition) in file.Definitions)
            foreach (var parent in definition?["allOf"] as JsonArray ?? [])
                if (parent?["$ref"]?.GetValue<string>() is { } r && r.StartsWith("#/definitions/"))
                {
                    var key = (file, r["#/definitions/".Length..]);
                    if (!_children.TryGetValue(key, out var list)) _children[key] = list = [];
                    list.Add(name);
                }
    }

    private static Regex PathPattern(string template) =>
        new("^" + string.Join("[^/]+", Regex.Split(template, @"\{[^}]+\}").Select(Regex.Escape)) + "$",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
}
