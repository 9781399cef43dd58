namespace BackupControlPlane.Api.Features.Deployments.Templates;

/// <summary>Builds ARM resource ids from a scope, a type (<c>Ns/t1/t2</c>) and names (one per type segment after the namespace).</summary>
internal static class ResourceIds
{
    public const string ResourceGroupType = "Microsoft.Resources/resourceGroups";

    public static string Subscription(string subscriptionId) => $"/subscriptions/{subscriptionId}";

    public static string ResourceGroup(string subscriptionId, string group) => $"/subscriptions/{subscriptionId}/resourceGroups/{group}";

    /// <summary>The scope a template's resources live in: the group, or the subscription for a subscription deployment.</summary>
    public static string DeploymentScope(DeploymentContext context) => context.ResourceGroupName is { } group
        ? ResourceGroup(context.SubscriptionId, group)
        : Subscription(context.SubscriptionId);

    /// <summary><c>{scope}/providers/{ns}/{t1}/{n1}/{t2}/{n2}</c>; resource groups are <c>/subscriptions/{s}/resourceGroups/{n}</c>.</summary>
    public static string Build(string scope, string type, IReadOnlyList<string> names)
    {
        var typeSegments = type.Split('/');
        if (typeSegments.Length < 2 || typeSegments.Any(string.IsNullOrWhiteSpace))
            throw TemplateException.Invalid($"The resource type '{type}' is not valid: it must be of the form 'Namespace/type[/childType…]'.");
        if (names.Count != typeSegments.Length - 1 || names.Any(string.IsNullOrEmpty))
            throw TemplateException.Invalid(
                $"The template resource '{string.Join("/", names)}' for type '{type}' has incorrect segment lengths. A nested resource type must have identical number of segments as its resource name. A root resource type must have segment length one greater than its resource name. Please see https://aka.ms/arm-syntax-resources for usage details.");
        if (string.Equals(type, ResourceGroupType, StringComparison.OrdinalIgnoreCase) && scope.StartsWith("/subscriptions/", StringComparison.OrdinalIgnoreCase))
            return $"{scope.TrimEnd('/')}/resourceGroups/{names[0]}";
        var path = typeSegments[0];
        for (var i = 1; i < typeSegments.Length; i++) path += $"/{typeSegments[i]}/{names[i - 1]}";
        return $"{scope.TrimEnd('/')}/providers/{path}";
    }

    /// <summary>A scope given in a template: an absolute id, or a relative <c>Ns/type/name</c> in the deployment's scope.</summary>
    public static string ResolveScope(string scope, DeploymentContext context)
    {
        if (scope.StartsWith('/')) return scope.TrimEnd('/');
        var segments = scope.Split('/');
        if (segments.Length < 3 || segments.Length % 2 == 0)
            throw TemplateException.Invalid($"The scope '{scope}' is not valid: use a resource id or 'Namespace/type/name'.");
        var type = string.Join("/", segments.Where((_, i) => i == 0 || i % 2 == 1));
        var names = segments.Where((_, i) => i > 0 && i % 2 == 0).ToList();
        return Build(DeploymentScope(context), type, names);
    }
}
