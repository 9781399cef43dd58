using System.Text.RegularExpressions;
using BackupControlPlane.Api.Arm;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BackupControlPlane.Api.Features.Emulator;

public sealed record OperationDisplay(string Provider, string Resource, string Operation, string Description);

public sealed record ProviderOperation(string Name, OperationDisplay Display, string Origin);

/// <summary>
/// <c>GET /providers/{namespace}/operations</c>: ARM's operation list of a provider, read from the emulator's own ARM
/// routes, so it lists exactly what is implemented (a route added by any slice appears by itself). Names follow ARM's
/// RBAC form: the resource types of the path, then <c>read</c>, <c>write</c>, <c>delete</c>, or <c>{action}/action</c>.
/// </summary>
public static partial class OperationsEndpoints
{
    /// <summary>The providers served, with ARM's display names; routes outside <c>/providers/{namespace}/</c> belong to Microsoft.Resources.</summary>
    private static readonly Dictionary<string, string> Providers = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Microsoft.RecoveryServices"] = "Microsoft Recovery Services", ["Microsoft.Compute"] = "Microsoft Compute",
        ["Microsoft.Network"] = "Microsoft Network", ["Microsoft.Resources"] = "Microsoft Resources", ["Microsoft.Storage"] = "Microsoft Storage",
    };

    public static void MapOperations(this IEndpointRouteBuilder app) =>
        app.MapArm().WithTags("Subscriptions").MapGet("/providers/{resourceProviderNamespace}/operations", List)
            .WithSummary("The operations the emulator implements for a provider, in ARM's shape.");

    private static Ok<ArmList<ProviderOperation>> List(string resourceProviderNamespace, EndpointDataSource endpoints)
    {
        var provider = Providers.Keys.FirstOrDefault(k => k.Equals(resourceProviderNamespace, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArmException(404, "InvalidResourceNamespace", $"The resource namespace '{resourceProviderNamespace}' is invalid; the emulator serves {string.Join(", ", Providers.Keys)}.");
        var operations = endpoints.Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } raw && ArmResults.IsArmPath(raw))
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []).Select(m => Describe(m, e.RoutePattern.RawText!)))
            .Where(o => o is not null && o.Value.Provider.Equals(provider, StringComparison.OrdinalIgnoreCase))
            .Select(o => o!.Value)
            .DistinctBy(o => o.Name, StringComparer.OrdinalIgnoreCase).OrderBy(o => o.Name, StringComparer.OrdinalIgnoreCase)
            .Select(o => new ProviderOperation(o.Name, new OperationDisplay(Providers[provider], o.Resource, o.Verb, $"{o.Verb} {o.Resource}."), "user"))
            .ToList();
        return TypedResults.Ok(new ArmList<ProviderOperation>(operations));
    }

    /// <summary>An ARM route template as an operation: its provider, RBAC name, resource type and verb; null for the operation lists themselves.</summary>
    internal static (string Provider, string Name, string Resource, string Verb)? Describe(string method, string template)
    {
        var segments = template.Trim('/').Split('/');
        var at = Array.FindIndex(segments, s => s.Equals("providers", StringComparison.OrdinalIgnoreCase));
        var provider = at >= 0 && at + 1 < segments.Length && !segments[at + 1].StartsWith('{') ? segments[at + 1] : "Microsoft.Resources";
        if (template.StartsWith("/providers/", StringComparison.OrdinalIgnoreCase)) return null;
        // Microsoft.Resources types start at /subscriptions; a provider's after its namespace.
        var rest = provider == "Microsoft.Resources" ? segments : segments[(at + 2)..];
        var types = rest.Where(s => !Parameter().IsMatch(s)).ToList();
        if (types.Count == 0) return null;
        var action = method == "POST" && !Parameter().IsMatch(rest[^1]);
        var verb = action ? types[^1] : method switch { "GET" or "HEAD" => "read", "DELETE" => "delete", _ => "write" };
        var resource = action ? string.Join('/', types[..^1]) : string.Join('/', types);
        var name = $"{provider}/{resource}/{verb}" + (action ? "/action" : "");
        return (provider, name, resource.Length == 0 ? provider : resource, action ? verb : verb switch { "read" => "Read", "delete" => "Delete", _ => "Create or update" });
    }

    [GeneratedRegex(@"^\{[^}]+\}$")]
    private static partial Regex Parameter();
}
