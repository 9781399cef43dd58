using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Data;

/// <summary>
/// A template deployment (Microsoft.Resources/deployments) at resource-group scope (<see cref="ResourceGroup"/> set) or
/// subscription scope (null, with <see cref="Location"/>). The request is kept as sent (template and parameters, secure
/// values included: the durable job re-evaluates it after a crash); answers show only <see cref="ParametersJson"/>.
/// </summary>
public sealed class Deployment
{
    public Guid Id { get; set; }
    public required string SubscriptionId { get; set; }
    public string? ResourceGroup { get; set; }
    public required string Name { get; set; }
    /// <summary>Lowercased "{scope}/{name}": unique.</summary>
    public required string Key { get; set; }
    public string? Location { get; set; }
    public required string Mode { get; set; }
    public required string TemplateJson { get; set; }
    public string? TemplateLink { get; set; }
    /// <summary>The request's parameters as sent (<c>{"name":{"value":…}}</c>); never shown.</summary>
    public string? RequestParametersJson { get; set; }
    /// <summary>The evaluated parameters as answers show them (secure values as their type only).</summary>
    public string? ParametersJson { get; set; }
    public required string TemplateHash { get; set; }
    public required string ProvisioningState { get; set; }
    /// <summary>The id of the run polled at <c>…/operationStatuses/{id}</c>; a new PUT starts a new one.</summary>
    public Guid OperationId { get; set; }
    public required string CorrelationId { get; set; }
    public DateTimeOffset Timestamp { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public TimeSpan Duration { get; set; }
    public string? OutputsJson { get; set; }
    public string? OutputResourcesJson { get; set; }
    public string? DependenciesJson { get; set; }
    public string? ErrorJson { get; set; }
    /// <summary>Whose deployment it is: each resource is written with a token for this identity.</summary>
    public string? CallerObjectId { get; set; }
    public string? CallerAppId { get; set; }

    public static string KeyOf(string scope, string name) => $"{scope}/{name}".ToLowerInvariant();
}

/// <summary>One resource's operation within a deployment (<c>…/deployments/{name}/operations/{operationId}</c>).</summary>
public sealed class DeploymentOperation
{
    public long Id { get; set; }
    public Guid DeploymentId { get; set; }
    /// <summary>Stable for the resource within one run, so a repeated run updates the same operation.</summary>
    public required string OperationId { get; set; }
    public required string ResourceId { get; set; }
    public required string ResourceType { get; set; }
    public required string ResourceName { get; set; }
    public required string ProvisioningOperation { get; set; }
    public required string ProvisioningState { get; set; }
    public string? StatusCode { get; set; }
    public string? StatusMessageJson { get; set; }
    public DateTimeOffset Timestamp { get; set; }
    public TimeSpan Duration { get; set; }
}

internal static class DeploymentModel
{
    public static void Configure(ModelBuilder b)
    {
        b.Entity<Deployment>(e =>
        {
            e.HasIndex(x => x.Key).IsUnique();
            e.HasIndex(x => new { x.SubscriptionId, x.ResourceGroup });
            e.HasMany<DeploymentOperation>().WithOne().HasForeignKey(x => x.DeploymentId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<DeploymentOperation>().HasIndex(x => new { x.DeploymentId, x.OperationId }).IsUnique();
    }
}
