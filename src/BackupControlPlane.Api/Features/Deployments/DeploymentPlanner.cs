using System.Text.Json.Nodes;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Features.Deployments.Templates;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BackupControlPlane.Api.Features.Deployments;

/// <summary>The one place a stored or requested deployment meets the template engine (Templates/TemplateEngine).</summary>
public sealed class DeploymentPlanner(BackupDbContext db, IOptions<EmulatorOptions> options, TimeProvider time)
{
    public Task<TemplatePlan> PlanAsync(Deployment deployment, IResourceReader reader, CancellationToken ct) =>
        PlanAsync(deployment.SubscriptionId, deployment.ResourceGroup, deployment.Name, deployment.Location,
            JsonNode.Parse(deployment.TemplateJson)!.AsObject(), deployment.RequestParametersJson is { } p ? JsonNode.Parse(p)!.AsObject() : null,
            deployment.TemplateLink, reader, ct);

    public async Task<TemplatePlan> PlanAsync(string subscriptionId, string? resourceGroup, string name, string? location, JsonObject template,
        JsonObject? parameters, string? templateLink, IResourceReader reader, CancellationToken ct)
    {
        string? groupLocation = null;
        if (resourceGroup is not null)
        {
            var key = ResourceGroup.KeyOf(subscriptionId, resourceGroup);
            groupLocation = await db.ResourceGroups.AsNoTracking().Where(g => g.Key == key).Select(g => g.Location).FirstOrDefaultAsync(ct);
        }
        var context = new DeploymentContext(subscriptionId, resourceGroup, groupLocation, name, options.Value.TenantId,
            location ?? groupLocation ?? options.Value.DefaultLocation, time.GetUtcNow(), reader, templateLink is null ? null : new Uri(templateLink));
        return TemplateEngine.Plan(template, parameters, context);
    }
}

public static class DeploymentStates
{
    public const string Accepted = "Accepted";
    public const string Running = "Running";
    public const string Succeeded = "Succeeded";
    public const string Failed = "Failed";
    public const string Canceled = "Canceled";

    public static bool IsTerminal(string state) => state is Succeeded or Failed or Canceled;
}

public static class DeploymentIds
{
    public const string Type = "Microsoft.Resources/deployments";

    public static string Scope(string subscriptionId, string? resourceGroup) =>
        resourceGroup is null ? $"/subscriptions/{subscriptionId}" : $"/subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}";

    public static string Of(string subscriptionId, string? resourceGroup, string name) => $"{Scope(subscriptionId, resourceGroup)}/providers/{Type}/{name}";

    public static string Of(Deployment d) => Of(d.SubscriptionId, d.ResourceGroup, d.Name);
}
