using System.Collections.Immutable;
using System.Text.Json.Nodes;

namespace BackupControlPlane.Api.Features.Deployments.Templates;

/// <summary>
/// What an expression sees where it is evaluated: the template's state, the copy loops around it, the lambda variables
/// in reach, and whether reference()/list*() may run here (not in names, conditions, counts or variables).
/// </summary>
public sealed class EvaluationScope
{
    private static readonly StringComparer Names = StringComparer.OrdinalIgnoreCase;

    internal EvaluationScope(TemplateState state) => State = state;

    internal TemplateState State { get; }
    public DeploymentContext Context => State.Context;
    internal ImmutableDictionary<string, long> CopyIndexes { get; private init; } = ImmutableDictionary.Create<string, long>(Names);
    internal string? CurrentLoop { get; private init; }
    internal ImmutableDictionary<string, JsonNode?> LambdaVariables { get; private init; } = ImmutableDictionary.Create<string, JsonNode?>(Names);
    internal bool ReferencesAllowed { get; private init; }
    /// <summary>Set while a parameter's defaultValue is evaluated: the only place utcNow() and newGuid() may run.</summary>
    internal bool InParameterDefault { get; private init; }
    /// <summary>Set inside a user-defined function: only its parameters are visible, not the template's.</summary>
    internal ImmutableDictionary<string, JsonNode?>? FunctionParameters { get; private init; }

    /// <summary>Inside a copy loop. Property and variable loops are <paramref name="named"/>: copyIndex() without a name
    /// still means the enclosing resource loop there, as in ARM.</summary>
    internal EvaluationScope WithCopyIndex(string loop, long index, bool named = false) =>
        new(State) { CopyIndexes = CopyIndexes.SetItem(loop, index), CurrentLoop = named ? CurrentLoop : loop, LambdaVariables = LambdaVariables, ReferencesAllowed = ReferencesAllowed, FunctionParameters = FunctionParameters };

    internal EvaluationScope WithReferences(bool allowed) =>
        new(State) { CopyIndexes = CopyIndexes, CurrentLoop = CurrentLoop, LambdaVariables = LambdaVariables, ReferencesAllowed = allowed, FunctionParameters = FunctionParameters };

    internal EvaluationScope WithLambdaVariables(string[] names, JsonNode?[] values)
    {
        var variables = LambdaVariables;
        for (var i = 0; i < names.Length; i++) variables = variables.SetItem(names[i], values[i]);
        return new(State) { CopyIndexes = CopyIndexes, CurrentLoop = CurrentLoop, LambdaVariables = variables, ReferencesAllowed = ReferencesAllowed, FunctionParameters = FunctionParameters };
    }

    internal EvaluationScope ForParameterDefault() => new(State) { InParameterDefault = true };

    internal EvaluationScope ForUserFunction(ImmutableDictionary<string, JsonNode?> parameters) =>
        new(State) { FunctionParameters = parameters };
}
