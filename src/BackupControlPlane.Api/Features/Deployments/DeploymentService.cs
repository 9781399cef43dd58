using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Features.Deployments.Templates;
using Hangfire;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Deployments;

/// <summary>Where a deployment lives: a resource group, or the subscription (resourceGroup null).</summary>
public sealed record DeploymentScope(string SubscriptionId, string? ResourceGroup, string Name);

/// <summary>
/// Creating, validating and planning deployments. A PUT is checked before anything is stored (the same preflight as
/// validate: the template plans, or 400 InvalidTemplate), then stored Accepted and handed to <see cref="DeploymentRunner"/>.
/// </summary>
public sealed partial class DeploymentService(BackupDbContext db, DeploymentPlanner planner, ArmPipeline pipeline, IArmTokenIssuer tokens,
    IBackgroundJobClient jobs, TimeProvider time)
{
    public sealed record Created(Deployment Deployment, bool IsNew);

    public async Task<Created> CreateAsync(DeploymentScope scope, DeploymentRequest request, ClaimsPrincipal caller, CancellationToken ct)
    {
        var plan = await PreflightAsync(scope, request, caller, ct);
        // One transaction from the "is it still active?" check to the commit: a re-PUT's old operations are deleted
        // together with the record's rewrite, or not at all.
        await using var tx = await db.BeginWriteAsync(ct);
        var key = Deployment.KeyOf(DeploymentIds.Scope(scope.SubscriptionId, scope.ResourceGroup), scope.Name);
        var deployment = await db.Deployments.FirstOrDefaultAsync(d => d.Key == key, ct);
        var isNew = deployment is null;
        if (deployment is not null && !DeploymentStates.IsTerminal(deployment.ProvisioningState))
            throw new ArmException(409, "DeploymentActive",
                $"The deployment '{scope.Name}' cannot be saved, because this would overwrite an existing deployment which is still active.");
        var now = time.GetUtcNow();
        deployment ??= new Deployment
        {
            Id = Guid.NewGuid(), SubscriptionId = scope.SubscriptionId, ResourceGroup = scope.ResourceGroup, Name = scope.Name, Key = key,
            Mode = request.Mode, TemplateJson = "", TemplateHash = "", ProvisioningState = DeploymentStates.Accepted, CorrelationId = "",
        };
        if (isNew) db.Deployments.Add(deployment);
        else await db.DeploymentOperations.Where(o => o.DeploymentId == deployment.Id).ExecuteDeleteAsync(ct);
        deployment.Location = request.Location;
        deployment.Mode = request.Mode;
        deployment.TemplateJson = request.Template.ToJsonString();
        deployment.TemplateLink = request.TemplateLink;
        deployment.RequestParametersJson = request.Parameters?.ToJsonString();
        deployment.ParametersJson = plan.Parameters.ToJsonString();
        deployment.DependenciesJson = Dependencies(plan).ToJsonString();
        deployment.TemplateHash = TemplateHash.Of(request.Template);
        deployment.ProvisioningState = DeploymentStates.Accepted;
        deployment.OperationId = Guid.NewGuid();
        deployment.CorrelationId = Guid.NewGuid().ToString();
        deployment.Timestamp = deployment.StartedAt = now;
        deployment.Duration = TimeSpan.Zero;
        deployment.OutputsJson = deployment.OutputResourcesJson = deployment.ErrorJson = null;
        deployment.CallerObjectId = caller.FindFirstValue("oid");
        deployment.CallerAppId = caller.FindFirstValue("appid");
        // Enqueued before the commit, so no crash leaves an Accepted deployment without its job; a job that runs
        // before the commit finds nothing and is retried (DeploymentRunner).
        var operationId = deployment.OperationId;
        var id = deployment.Id;
        jobs.Enqueue<DeploymentRunner>(r => r.RunAsync(id, operationId, null, CancellationToken.None));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new Created(deployment, isNew);
    }

    /// <summary>The preflight of PUT, validate and whatIf: the group exists, the template plans (else InvalidTemplate).</summary>
    public async Task<TemplatePlan> PreflightAsync(DeploymentScope scope, DeploymentRequest request, ClaimsPrincipal caller, CancellationToken ct)
    {
        RequireName(scope.Name);
        if (scope.ResourceGroup is not null)
        {
            var groupKey = ResourceGroup.KeyOf(scope.SubscriptionId, scope.ResourceGroup);
            if (!await db.ResourceGroups.AnyAsync(g => g.Key == groupKey, ct))
                throw new ArmException(404, "ResourceGroupNotFound", $"Resource group '{scope.ResourceGroup}' could not be found.");
        }
        try
        {
            return await planner.PlanAsync(scope.SubscriptionId, scope.ResourceGroup, scope.Name, request.Location, request.Template, request.Parameters,
                request.TemplateLink, Reader(caller), ct);
        }
        catch (TemplateException e)
        {
            throw new DeploymentPreflightException(DeploymentErrors.FromTemplate(e));
        }
    }

    public PipelineResourceReader Reader(ClaimsPrincipal caller) =>
        new(pipeline, tokens.Issue(caller.FindFirstValue("oid"), caller.FindFirstValue("appid")));

    public async Task<Deployment> FindAsync(DeploymentScope scope, CancellationToken ct, bool tracked = false)
    {
        var key = Deployment.KeyOf(DeploymentIds.Scope(scope.SubscriptionId, scope.ResourceGroup), scope.Name);
        var query = tracked ? db.Deployments : db.Deployments.AsNoTracking();
        return await query.FirstOrDefaultAsync(d => d.Key == key, ct) ?? throw DeploymentErrors.NotFound(scope.Name);
    }

    /// <summary>ARM's dependency list: each resource that waits for others, with what it waits for.</summary>
    private static JsonArray Dependencies(TemplatePlan plan)
    {
        var byId = plan.Resources.ToDictionary(r => r.ResourceId, StringComparer.OrdinalIgnoreCase);
        static JsonObject Ref(PlannedResource r) => new() { ["id"] = r.ResourceId, ["resourceType"] = r.Type, ["resourceName"] = r.Name };
        return new JsonArray([.. plan.Resources.Where(r => r.DependsOn.Count > 0).Select(r =>
        {
            var entry = Ref(r);
            entry["dependsOn"] = new JsonArray([.. r.DependsOn.Where(byId.ContainsKey).Select(d => (JsonNode)Ref(byId[d]))]);
            return (JsonNode)entry;
        })]);
    }

    private static void RequireName(string name)
    {
        if (!NamePattern().IsMatch(name))
            throw ArmException.BadRequest($"The deployment name '{name}' is invalid: 1 to 64 letters, digits, '-', '.', '_', '(' or ')'.", "InvalidDeploymentName");
    }

    [GeneratedRegex(@"^[-\w\._\(\)]{1,64}$")]
    private static partial Regex NamePattern();
}

/// <summary>A preflight refusal with ARM's full error (additionalInfo, details): answered 400 by the endpoints.</summary>
public sealed class DeploymentPreflightException(ArmErrorBody error) : Exception(error.Message)
{
    public ArmErrorBody Error { get; } = error;
}
