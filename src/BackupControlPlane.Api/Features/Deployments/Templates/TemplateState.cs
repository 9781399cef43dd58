using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using BackupControlPlane.Api.Features.Deployments.Templates.Expressions;

namespace BackupControlPlane.Api.Features.Deployments.Templates;

/// <summary>
/// One template being deployed: its context, evaluated parameters, variables (evaluated once, on first use, cycles
/// refused), user functions, resources, and the resources read through the reader. Evaluation is synchronous; a value
/// not read yet interrupts it (<see cref="PendingRead"/>) and <see cref="RunAsync{T}"/> reads it and evaluates again.
/// </summary>
internal sealed class TemplateState(DeploymentContext context, JsonObject template)
{
    private readonly ConcurrentDictionary<string, Expression> _parsed = new();
    /// <summary>The reads of the evaluation under way: each body or outputs evaluation reads afresh.</summary>
    private readonly AsyncLocal<Dictionary<string, JsonNode?>?> _reads = new();
    private readonly Dictionary<string, JsonNode?> _variables = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _evaluating = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _gate = new();

    public DeploymentContext Context { get; } = context;
    /// <summary>A private copy, fully materialized so resources may be evaluated in parallel (JsonNode reads lazily).</summary>
    public JsonObject Template { get; } = Materialized(template.DeepClone().AsObject());
    public IReadOnlyDictionary<string, FunctionDefinition> Functions { get; } = FunctionLibrary.BuiltIns;
    public UserFunctions UserFunctions { get; } = new(template["functions"]);
    public JsonObject Parameters { get; set; } = [];
    public ResourceDirectory Resources { get; } = new();

    private static JsonObject Materialized(JsonObject template)
    {
        static void Walk(JsonNode? node)
        {
            if (node is JsonObject obj) foreach (var (_, value) in obj) Walk(value);
            else if (node is JsonArray array) foreach (var item in array) Walk(item);
        }
        Walk(template);
        return template;
    }

    public Expression Parse(string text) => _parsed.GetOrAdd(text, t => ExpressionParser.Parse(t[1..^1]));

    public JsonNode? Parameter(string name)
    {
        if (!TemplateValues.HasProperty(Parameters, name))
            throw TemplateException.Invalid($"The template parameter '{name}' is not found. Please see https://aka.ms/arm-syntax-parameters for usage details.");
        return TemplateValues.Copy(TemplateValues.Property(Parameters, name));
    }

    public JsonNode? Variable(string name, EvaluationScope scope)
    {
        lock (_gate)
        {
            if (_variables.TryGetValue(name, out var known)) return TemplateValues.Copy(known);
            var declarations = Template["variables"] as JsonObject ?? [];
            var declaration = VariableDeclaration(declarations, name)
                ?? throw TemplateException.Invalid($"The template variable '{name}' is not found. Please see https://aka.ms/arm-syntax-variables for usage details.");
            if (!_evaluating.Add(name))
                throw TemplateException.Invalid($"The template variable '{name}' refers to itself through other variables.", $"variables.{name}");
            try
            {
                var root = new EvaluationScope(this);
                var value = declaration.Loop is { } loop
                    ? LoopVariable(loop, root)
                    : ExpressionEvaluator.EvaluateTree(declaration.Node, root, $"variables.{name}");
                _variables[name] = value;
                return TemplateValues.Copy(value);
            }
            finally { _evaluating.Remove(name); }
        }
    }

    public IEnumerable<string> VariableNames() =>
        (Template["variables"] as JsonObject ?? []).SelectMany(v => v.Key == "copy" && v.Value is JsonArray loops
            ? loops.Select(l => TemplateValues.AsString(l?["name"]) ?? "")
            : [v.Key]);

    private static (JsonNode? Node, JsonObject? Loop)? VariableDeclaration(JsonObject declarations, string name)
    {
        if (declarations["copy"] is JsonArray loops)
            foreach (var loop in loops.OfType<JsonObject>())
                if (string.Equals(TemplateValues.AsString(loop["name"]), name, StringComparison.OrdinalIgnoreCase)) return (null, loop);
        if (name != "copy" && TemplateValues.HasProperty(declarations, name)) return (TemplateValues.Property(declarations, name), null);
        return null;
    }

    private static JsonNode LoopVariable(JsonObject loop, EvaluationScope scope)
    {
        var holder = new JsonObject();
        ExpressionEvaluator.ExpandPropertyLoop(loop, scope, $"variables.copy", holder);
        return holder.First().Value!.DeepClone();
    }

    /// <summary>A value read through the reader in this evaluation, or a <see cref="PendingRead"/> the async driver performs.</summary>
    public JsonNode? Read(string key, Func<CancellationToken, Task<JsonNode?>> read)
    {
        var reads = _reads.Value ?? throw new InvalidOperationException("Resources are read only while a body or the outputs are evaluated.");
        return reads.TryGetValue(key, out var value) ? TemplateValues.Copy(value) : throw new PendingRead(key, read);
    }

    /// <summary>A value of the wrong shape met deep in System.Text.Json: the template's fault, reported as InvalidTemplate.</summary>
    public static bool IsValueError(Exception e) =>
        e is InvalidOperationException or FormatException or ArgumentException or OverflowException or KeyNotFoundException or IndexOutOfRangeException;

    /// <summary>Evaluates, performing each read the evaluation asks for, until it completes.</summary>
    public async Task<T> RunAsync<T>(Func<T> evaluate, CancellationToken ct)
    {
        var reads = _reads.Value = new Dictionary<string, JsonNode?>(StringComparer.OrdinalIgnoreCase);
        while (true)
        {
            // Each interruption adds a read that was not there before, so this ends: at most one pass per distinct read.
            try { return evaluate(); }
            catch (PendingRead pending)
            {
                if (reads.ContainsKey(pending.Key)) throw TemplateException.Invalid($"The read of '{pending.Key}' was asked for twice.");
                reads[pending.Key] = await pending.Perform(ct);
            }
            catch (Exception e) when (IsValueError(e))
            {
                throw TemplateException.Invalid(e.Message);
            }
        }
    }
}

/// <summary>Interrupts a synchronous evaluation that needs a resource read first.</summary>
internal sealed class PendingRead(string key, Func<CancellationToken, Task<JsonNode?>> perform) : Exception($"Pending read of {key}")
{
    public string Key { get; } = key;
    public Func<CancellationToken, Task<JsonNode?>> Perform { get; } = perform;
}
