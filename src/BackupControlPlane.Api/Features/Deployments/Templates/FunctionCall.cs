using System.Text.Json.Nodes;
using BackupControlPlane.Api.Features.Deployments.Templates.Expressions;

namespace BackupControlPlane.Api.Features.Deployments.Templates;

public delegate JsonNode? TemplateFunction(FunctionCall call);

/// <summary>A built-in function: its name (case-insensitive), how many arguments it takes and what it does.</summary>
public sealed record FunctionDefinition(string Name, int MinArgs, int MaxArgs, TemplateFunction Invoke);

/// <summary>
/// One call being evaluated. Arguments are evaluated on first use, so if() evaluates only the branch it returns and
/// lambda arguments stay unevaluated until the function applies them.
/// </summary>
public sealed class FunctionCall(string name, IReadOnlyList<Expression> arguments, EvaluationScope scope)
{
    private readonly Dictionary<int, JsonNode?> _values = [];

    public string Name { get; } = name;
    public EvaluationScope Scope { get; } = scope;
    public int Count => arguments.Count;

    public JsonNode? this[int index]
    {
        get
        {
            if (_values.TryGetValue(index, out var value)) return value;
            if (arguments[index] is CallExpression { Name: var n } && n.Equals("lambda", StringComparison.OrdinalIgnoreCase))
                throw Error($"the argument '{index + 1}' is a lambda, which is only accepted by filter, map, reduce, sort, toObject and groupBy.");
            return _values[index] = ExpressionEvaluator.Evaluate(arguments[index], Scope);
        }
    }

    public IEnumerable<JsonNode?> All => Enumerable.Range(0, Count).Select(i => this[i]);

    public string String(int index) => TemplateValues.AsString(this[index]) ?? throw TypeError(index, "String");

    public long Integer(int index) =>
        this[index] is { } node && TemplateValues.TryLong(node, out var value) ? value : throw TypeError(index, "Integer");

    public bool Boolean(int index) => this[index] is { } node && TemplateValues.IsBool(node) ? TemplateValues.AsBool(node) : throw TypeError(index, "Boolean");

    public JsonArray Array(int index) => this[index] as JsonArray ?? throw TypeError(index, "Array");

    public JsonObject Object(int index) => this[index] as JsonObject ?? throw TypeError(index, "Object");

    /// <summary>How many parameters the lambda passed as argument <paramref name="index"/> declares.</summary>
    public int LambdaParameterCount(int index) => LambdaCall(index).Arguments.Count - 1;

    /// <summary>The <c>lambda('x', …, body)</c> passed as argument <paramref name="index"/>.</summary>
    public Lambda Lambda(int index, int parameterCount)
    {
        var call = LambdaCall(index);
        if (call.Arguments.Count != parameterCount + 1)
            throw Error($"the lambda expression must declare {parameterCount} parameter(s) but declares {call.Arguments.Count - 1}.");
        var names = call.Arguments.Take(parameterCount)
            .Select(a => TemplateValues.AsString(ExpressionEvaluator.Evaluate(a, Scope)) ?? throw Error("lambda parameter names must be strings."))
            .ToArray();
        return new Lambda(names, call.Arguments[^1], Scope);
    }

    private CallExpression LambdaCall(int index) =>
        arguments[index] is CallExpression { Name: var n } call && n.Equals("lambda", StringComparison.OrdinalIgnoreCase)
            ? call
            : throw Error($"the argument '{index + 1}' must be a lambda expression.");

    public TemplateException Error(string message) =>
        TemplateException.Invalid($"Unable to evaluate template language function '{Name}': {message}");

    public TemplateException TypeError(int index, string expected) =>
        Error($"the argument '{index + 1}' must be of type '{expected}' but is of type '{TemplateValues.KindOf(this[index])}'.");
}

/// <summary>A lambda argument: applying it evaluates its body with the parameters bound for lambdaVariables().</summary>
public sealed class Lambda(string[] parameters, Expression body, EvaluationScope scope)
{
    public JsonNode? Apply(params JsonNode?[] values) =>
        ExpressionEvaluator.Evaluate(body, scope.WithLambdaVariables(parameters, values));
}
