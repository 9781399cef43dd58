using System.Text.Json.Nodes;

namespace BackupControlPlane.Api.Features.Deployments.Templates;

/// <summary>One resource the deployer creates (or, when <see cref="IsExisting"/>, only reads), in dependency order.</summary>
public sealed class PlannedResource
{
    private readonly ResourceInstance _instance;

    internal PlannedResource(ResourceInstance instance, IReadOnlyList<string> dependsOn)
    {
        _instance = instance;
        DependsOn = dependsOn;
    }

    /// <summary>Symbolic name (languageVersion 2.0; <c>sym[i]</c> in a loop) or the resource id.</summary>
    public string SymbolicName => _instance.SymbolicName;
    public string ResourceId => _instance.ResourceId;
    public string Type => _instance.Type;
    public string Name => _instance.Name;
    public string ApiVersion => _instance.ApiVersion;
    public bool IsExisting => _instance.IsExisting;
    /// <summary>The ResourceIds this one waits for.</summary>
    public IReadOnlyList<string> DependsOn { get; }
    /// <summary>Microsoft.Resources/deployments (Bicep modules): the deployer plans and deploys its template in turn.</summary>
    public bool IsNestedDeployment => Type.Equals("Microsoft.Resources/deployments", StringComparison.OrdinalIgnoreCase);
    /// <summary>The template path of the declaration, e.g. <c>resources[2]</c>, for error messages.</summary>
    public string TemplatePath => _instance.Path;

    /// <summary>
    /// The PUT body (location, tags, sku, properties, identity, zones…; template-only members removed), evaluated now
    /// so reference() sees the dependencies already deployed. A nested deployment's template is left for its own plan.
    /// </summary>
    public async Task<JsonObject> EvaluateBodyAsync(CancellationToken ct)
    {
        try
        {
            return await _instance.Scope.State.RunAsync(() => ResourceBody.Evaluate(_instance), ct);
        }
        catch (TemplateException e) when (e.Code == TemplateException.InvalidTemplate)
        {
            throw new TemplateException(e.Code, $"Unable to process template language expressions for resource '{ResourceId}'. '{e.Message}'", e.Target);
        }
    }
}
