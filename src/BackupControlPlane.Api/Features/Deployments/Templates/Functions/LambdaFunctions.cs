using System.Text.Json.Nodes;
using static BackupControlPlane.Api.Features.Deployments.Templates.FunctionLibrary;
using V = BackupControlPlane.Api.Features.Deployments.Templates.TemplateValues;

namespace BackupControlPlane.Api.Features.Deployments.Templates;

/// <summary>Lambda functions: filter, map, reduce, sort, toObject, groupBy, mapValues; lambdaVariables() reads a parameter.</summary>
internal static class LambdaFunctions
{
    public static IEnumerable<FunctionDefinition> Definitions() =>
    [
        F("filter", 2, 2, c => Filter(c)),
        F("map", 2, 2, c => Map(c)),
        F("reduce", 3, 3, Reduce),
        F("sort", 2, 2, Sort),
        F("toObject", 2, 3, ToObject),
        F("groupBy", 2, 2, GroupBy),
        F("mapValues", 2, 2, MapValues),
        F("lambda", 1, Many, c => throw c.Error("a lambda can only be an argument of filter, map, reduce, sort, toObject, groupBy or mapValues.")),
        F("lambdaVariables", 1, 1, LambdaVariable),
    ];

    /// <summary>The lambda at <paramref name="index"/>, which may take the element's index as one more parameter.</summary>
    private static Lambda WithIndex(FunctionCall c, int index, int parameters, out bool takesIndex)
    {
        takesIndex = c.LambdaParameterCount(index) == parameters + 1;
        return c.Lambda(index, takesIndex ? parameters + 1 : parameters);
    }

    private static JsonArray Filter(FunctionCall c)
    {
        var lambda = WithIndex(c, 1, 1, out var indexed);
        var result = new JsonArray();
        var items = c.Array(0);
        for (var i = 0; i < items.Count; i++)
        {
            var keep = indexed ? lambda.Apply(items[i], V.Of((long)i)) : lambda.Apply(items[i]);
            if (!V.IsBool(keep)) throw c.Error("the lambda must return a boolean.");
            if (V.AsBool(keep!)) result.Add(V.Copy(items[i]));
        }
        return result;
    }

    private static JsonArray Map(FunctionCall c)
    {
        var lambda = WithIndex(c, 1, 1, out var indexed);
        var items = c.Array(0);
        return new JsonArray(items.Select((item, i) => indexed ? lambda.Apply(item, V.Of((long)i)) : lambda.Apply(item)).ToArray());
    }

    private static JsonNode? Reduce(FunctionCall c)
    {
        var lambda = WithIndex(c, 2, 2, out var indexed);
        var accumulator = c[1];
        var items = c.Array(0);
        for (var i = 0; i < items.Count; i++)
            accumulator = indexed ? lambda.Apply(accumulator, items[i], V.Of((long)i)) : lambda.Apply(accumulator, items[i]);
        return accumulator;
    }

    private static JsonArray Sort(FunctionCall c)
    {
        var lambda = c.Lambda(1, 2);
        var items = c.Array(0).ToList();
        try
        {
            items.Sort((a, b) =>
            {
                var less = lambda.Apply(a, b);
                if (!V.IsBool(less)) throw c.Error("the lambda must return a boolean.");
                return V.AsBool(less!) ? -1 : V.AsBool(lambda.Apply(b, a)!) ? 1 : 0;
            });
        }
        catch (InvalidOperationException e) when (e.InnerException is TemplateException or PendingRead)
        {
            // List.Sort wraps what its comparer throws: the lambda's own error (or its pending read) goes on as it was.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
        }
        return V.Array(items);
    }

    private static JsonObject ToObject(FunctionCall c)
    {
        var key = c.Lambda(1, 1);
        var value = c.Count > 2 ? c.Lambda(2, 1) : null;
        var result = new JsonObject();
        foreach (var item in c.Array(0))
        {
            var name = V.AsString(key.Apply(item)) ?? throw c.Error("the key lambda must return a string.");
            result[name] = value is null ? V.Copy(item) : value.Apply(item);
        }
        return result;
    }

    private static JsonObject GroupBy(FunctionCall c)
    {
        var key = c.Lambda(1, 1);
        var result = new JsonObject();
        foreach (var item in c.Array(0))
        {
            var name = V.AsString(key.Apply(item)) ?? throw c.Error("the key lambda must return a string.");
            if (result[name] is not JsonArray group) result[name] = group = [];
            group.Add(V.Copy(item));
        }
        return result;
    }

    private static JsonObject MapValues(FunctionCall c)
    {
        var lambda = c.Lambda(1, 1);
        var result = new JsonObject();
        foreach (var (name, value) in c.Object(0)) result[name] = lambda.Apply(value);
        return result;
    }

    private static JsonNode? LambdaVariable(FunctionCall c)
    {
        var name = c.String(0);
        return c.Scope.LambdaVariables.TryGetValue(name, out var value)
            ? V.Copy(value)
            : throw c.Error($"the lambda variable '{name}' is not defined here.");
    }
}
