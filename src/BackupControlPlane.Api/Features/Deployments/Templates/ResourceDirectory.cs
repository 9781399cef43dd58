using System.Text.Json.Nodes;

namespace BackupControlPlane.Api.Features.Deployments.Templates;

/// <summary>One resource of the template after copy expansion (conditions evaluated; false ones stay for dependsOn).</summary>
internal sealed class ResourceInstance
{
    /// <summary>The instance's key: <c>sym</c>, <c>sym[i]</c> in a loop, or its resource id in the array form.</summary>
    public required string SymbolicName { get; init; }
    /// <summary>The declared symbolic name (languageVersion 2.0), shared by a loop's instances.</summary>
    public string? Symbol { get; init; }
    public string? LoopName { get; init; }
    public required string Type { get; init; }
    public required string Name { get; init; }
    public required string ResourceId { get; init; }
    public required string ApiVersion { get; init; }
    public required JsonObject Declaration { get; init; }
    public required EvaluationScope Scope { get; init; }
    public required string Path { get; init; }
    public bool Condition { get; init; } = true;
    public bool IsExisting { get; init; }
    public List<string> DependsOn { get; } = [];
    /// <summary>Instances this one waits for besides its dependsOn: its parent, the previous batch of a serial loop.</summary>
    public List<ResourceInstance> ImplicitDependencies { get; } = [];
}

/// <summary>The template's resources, found by symbolic name, copy loop name, resource id, name or <c>type/name</c>.</summary>
internal sealed class ResourceDirectory
{
    private const StringComparison Ignore = StringComparison.OrdinalIgnoreCase;

    public List<ResourceInstance> All { get; } = [];

    /// <summary>The single resource reference() means by <paramref name="reference"/>, or null when the template has none.</summary>
    public ResourceInstance? Find(string reference)
    {
        var matches = Resolve(reference).ToList();
        return matches.Count == 1 ? matches[0] : null;
    }

    /// <summary>Every instance a dependsOn entry names (a copy loop or a symbolic collection names all of its instances).</summary>
    public IEnumerable<ResourceInstance> Resolve(string reference)
    {
        var bySymbol = All.Where(r => r.SymbolicName.Equals(reference, Ignore) || (r.Symbol?.Equals(reference, Ignore) ?? false) || (r.LoopName?.Equals(reference, Ignore) ?? false)).ToList();
        if (bySymbol.Count > 0) return bySymbol;
        var byId = All.Where(r => r.ResourceId.Equals(reference.TrimEnd('/'), Ignore)).ToList();
        if (byId.Count > 0) return byId;
        var byName = All.Where(r => r.Name.Equals(reference, Ignore) || $"{r.Type}/{r.Name}".Equals(reference, Ignore)).ToList();
        if (byName.Count > 0) return byName;
        return All.Where(r => reference.StartsWith('/') && IdMatchesIgnoringScope(r.ResourceId, reference));
    }

    /// <summary>A dependsOn id may be built for another group of the same subscription layout: match on the provider part.</summary>
    private static bool IdMatchesIgnoringScope(string id, string reference)
    {
        var a = id.IndexOf("/providers/", Ignore);
        var b = reference.IndexOf("/providers/", Ignore);
        return a >= 0 && b >= 0 && id[a..].Equals(reference[b..], Ignore) && id[..a].Equals(reference[..b], Ignore);
    }
}
