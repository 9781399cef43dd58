using System.Text.Json.Nodes;

namespace BackupControlPlane.Api.Features.Deployments.Templates;

/// <summary>
/// Where and when a template is deployed: what resourceGroup(), subscription(), deployment() and utcNow() see.
/// <paramref name="TemplateLink"/> is the <c>templateLink.uri</c> of a deployment made from a URI (deployment().properties.templateLink).
/// </summary>
public sealed record DeploymentContext(
    string SubscriptionId, string? ResourceGroupName, string? ResourceGroupLocation, string DeploymentName,
    string TenantId, string Location, DateTimeOffset Now, IResourceReader Resources, Uri? TemplateLink = null);

/// <summary>
/// Reads the emulator's resources for reference(), list*() and <c>existing</c> resources. The deployer implements it;
/// the template engine never touches the database or HTTP itself.
/// </summary>
public interface IResourceReader
{
    /// <summary>The resource as a GET answers it, or null when it does not exist.</summary>
    Task<JsonObject?> GetAsync(string resourceId, string apiVersion, CancellationToken ct);

    /// <summary>POSTs <paramref name="action"/> (listKeys, …) on the resource and returns the answer.</summary>
    Task<JsonNode?> InvokeActionAsync(string resourceId, string action, string apiVersion, JsonNode? body, CancellationToken ct);
}
