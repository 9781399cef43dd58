namespace BackupControlPlane.Api.Features.Deployments.Templates;

/// <summary>
/// Resolves dependsOn entries and orders the deployed resources so each comes after what it waits for. A dependency on
/// a resource whose condition is false is replaced by that resource's own dependencies; a cycle is refused.
/// </summary>
internal static class DependencyGraph
{
    public static List<(ResourceInstance Resource, List<ResourceInstance> DependsOn)> Order(ResourceDirectory directory)
    {
        var direct = new Dictionary<ResourceInstance, List<ResourceInstance>>();
        foreach (var resource in directory.All)
        {
            var dependencies = new List<ResourceInstance>(resource.ImplicitDependencies);
            foreach (var entry in resource.DependsOn)
            {
                var matches = directory.Resolve(entry).ToList();
                if (matches.Count == 0)
                    throw TemplateException.Invalid($"The resource '{entry}' is not defined in the template. Please see https://aka.ms/arm-syntax for usage details.", $"{resource.Path}.dependsOn");
                dependencies.AddRange(matches);
            }
            direct[resource] = dependencies.Distinct().ToList();
        }

        var active = directory.All.Where(r => r.Condition).ToList();
        var effective = active.ToDictionary(r => r, r => Effective(r, direct, []));
        var ordered = new List<(ResourceInstance, List<ResourceInstance>)>();
        var done = new HashSet<ResourceInstance>();
        while (ordered.Count < active.Count)
        {
            var ready = active.Where(r => !done.Contains(r) && effective[r].All(done.Contains)).ToList();
            if (ready.Count == 0)
            {
                var stuck = active.First(r => !done.Contains(r));
                throw TemplateException.Invalid($"Circular dependency detected on resource: '{stuck.ResourceId}'. Please see https://aka.ms/arm-syntax-resources for usage details.", "");
            }
            foreach (var resource in ready)
            {
                ordered.Add((resource, effective[resource]));
                done.Add(resource);
            }
        }
        return ordered;
    }

    /// <summary>The deployed resources <paramref name="resource"/> waits for, looking through condition-false ones.</summary>
    private static List<ResourceInstance> Effective(ResourceInstance resource, Dictionary<ResourceInstance, List<ResourceInstance>> direct, HashSet<ResourceInstance> seen)
    {
        var result = new List<ResourceInstance>();
        foreach (var dependency in direct[resource])
        {
            if (dependency == resource)
                throw TemplateException.Invalid($"Circular dependency detected on resource: '{resource.ResourceId}'. Please see https://aka.ms/arm-syntax-resources for usage details.", "");
            if (dependency.Condition) result.Add(dependency);
            else if (seen.Add(dependency)) result.AddRange(Effective(dependency, direct, seen));
        }
        return result.Distinct().ToList();
    }
}
