using System.Text.Json.Nodes;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using static BackupControlPlane.Api.Features.Deployments.DeploymentEndpoints;

namespace BackupControlPlane.Api.Features.Deployments;

/// <summary>
/// A deployment's actions: validate (200, or 400 InvalidTemplate), whatIf (200 with the changes), cancel, exportTemplate,
/// its operations (one per resource) and the status its Azure-AsyncOperation URL polls.
/// </summary>
public static class DeploymentActionEndpoints
{
    private const string GroupOperationsScope = "/subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}/deployments";

    public sealed record OperationRoute(string SubscriptionId, string? ResourceGroupName, string DeploymentName, string OperationId)
    {
        public DeploymentScope Scope => new(SubscriptionId, ResourceGroupName, DeploymentName);

        public static ValueTask<OperationRoute?> BindAsync(HttpContext http) => ValueTask.FromResult<OperationRoute?>(new(Value(http, "subscriptionId")!,
            Value(http, "resourceGroupName"), Value(http, "deploymentName")!, Value(http, "operationId")!));
    }

    public static void MapDeploymentActions(this IEndpointRouteBuilder app)
    {
        var group = app.MapArm().WithTags("Microsoft.Resources (deployments)");
        foreach (var scope in new[] { GroupScope, SubscriptionScope })
        {
            var one = scope + "/{deploymentName}";
            group.MapPost(one + "/validate", Validate).Accepts<JsonObject>("application/json")
                .WithSummary("Check a template and its parameters without deploying: 200 with the evaluated parameters, or 400 InvalidTemplate with the path.");
            group.MapPost(one + "/whatIf", WhatIf).Accepts<JsonObject>("application/json")
                .WithSummary("The changes a deployment would make (Create, Modify with property deltas, NoChange, Ignore), without making them.");
            group.MapPost(one + "/cancel", Cancel).InOneTransaction().WithSummary("Cancel a deployment that is Accepted or Running: 204; resources already written stay.");
            group.MapPost(one + "/exportTemplate", Export).WithSummary("The template the deployment ran.");
            // Azure's resource-group operations have no providers segment (…/resourcegroups/{rg}/deployments/{name}/operations).
            var operations = (scope == GroupScope ? GroupOperationsScope : scope) + "/{deploymentName}/operations";
            group.MapGetAtRuntime(operations, Operations).WithSummary("The deployment's operations: one per resource, with its state, status code and error.");
            group.MapGet(operations + "/{operationId}", Operation);
            group.MapGet(one + "/operationStatuses/{operationId}", Status).WithSummary("The Azure-AsyncOperation of a deployment run: Accepted, Running, Succeeded, Failed or Canceled.");
        }
    }

    private static async Task<Results<Ok<JsonObject>, JsonHttpResult<ArmErrorResponse>>> Validate(DeploymentRoute route, HttpContext http,
        DeploymentRequestReader reader, DeploymentService deployments, TimeProvider time, CancellationToken ct)
    {
        var request = await reader.ReadAsync(http.Request, locationRequired: route.ResourceGroupName is null, ct);
        try
        {
            var plan = await deployments.PreflightAsync(route.Scope, request, http.User, ct);
            var result = new JsonObject
            {
                ["id"] = DeploymentIds.Of(route.SubscriptionId, route.ResourceGroupName, route.DeploymentName),
                ["name"] = route.DeploymentName,
                ["type"] = DeploymentIds.Type,
                ["properties"] = new JsonObject
                {
                    ["parameters"] = plan.Parameters.DeepClone(), ["mode"] = request.Mode, ["provisioningState"] = DeploymentStates.Succeeded,
                    ["timestamp"] = time.GetUtcNow().UtcDateTime.ToString("O"), ["duration"] = "PT0S", ["correlationId"] = Guid.NewGuid().ToString(),
                    ["validatedResources"] = new JsonArray([.. plan.Resources.Select(r => (JsonNode)new JsonObject { ["id"] = r.ResourceId })]),
                },
            };
            if (request.Location is not null) result["location"] = request.Location;
            return TypedResults.Ok(result);
        }
        catch (DeploymentPreflightException e)
        {
            return TypedResults.Json(new ArmErrorResponse(e.Error), statusCode: StatusCodes.Status400BadRequest);
        }
    }

    private static async Task<Results<Ok<JsonObject>, JsonHttpResult<ArmErrorResponse>>> WhatIf(DeploymentRoute route, HttpContext http,
        DeploymentRequestReader reader, DeploymentService deployments, DeploymentWhatIf whatIf, CancellationToken ct)
    {
        var request = await reader.ReadAsync(http.Request, locationRequired: route.ResourceGroupName is null, ct);
        try
        {
            var plan = await deployments.PreflightAsync(route.Scope, request, http.User, ct);
            return TypedResults.Ok(await whatIf.ChangesAsync(plan, deployments.Reader(http.User), request.WhatIfResultFormat == "ResourceIdOnly", ct));
        }
        catch (DeploymentPreflightException e)
        {
            return TypedResults.Json(new ArmErrorResponse(e.Error), statusCode: StatusCodes.Status400BadRequest);
        }
    }

    private static async Task<NoContent> Cancel(DeploymentRoute route, DeploymentService deployments, BackupDbContext db, TimeProvider time, CancellationToken ct)
    {
        var deployment = await deployments.FindAsync(route.Scope, ct, tracked: true);
        if (DeploymentStates.IsTerminal(deployment.ProvisioningState))
            throw new ArmException(409, "DeploymentCannotBeCancelled",
                $"The deployment '{deployment.Name}' cannot be cancelled: it is already {deployment.ProvisioningState}.");
        deployment.ProvisioningState = DeploymentStates.Canceled;
        deployment.Timestamp = time.GetUtcNow();
        deployment.Duration = deployment.Timestamp - deployment.StartedAt;
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<JsonObject>> Export(DeploymentRoute route, DeploymentService deployments, CancellationToken ct) =>
        TypedResults.Ok(new JsonObject { ["template"] = JsonNode.Parse((await deployments.FindAsync(route.Scope, ct)).TemplateJson) });

    private static async Task<Ok<ArmList<JsonObject>>> Operations(DeploymentRoute route, DeploymentService deployments, BackupDbContext db, CancellationToken ct,
        [FromQuery(Name = "$top")] int? top = null)
    {
        var deployment = await deployments.FindAsync(route.Scope, ct);
        var operations = await db.DeploymentOperations.AsNoTracking().Where(o => o.DeploymentId == deployment.Id).OrderBy(o => o.Id)
            .Take(DeploymentEndpoints.Top(top)).ToListAsync(ct);
        return TypedResults.Ok(new ArmList<JsonObject>([.. operations.Select(o => DeploymentShapes.Operation(deployment, o))]));
    }

    private static async Task<Ok<JsonObject>> Operation(OperationRoute route, DeploymentService deployments, BackupDbContext db, CancellationToken ct)
    {
        var deployment = await deployments.FindAsync(route.Scope, ct);
        var operation = await db.DeploymentOperations.AsNoTracking().FirstOrDefaultAsync(o => o.DeploymentId == deployment.Id && o.OperationId == route.OperationId, ct)
            ?? throw new ArmException(404, "DeploymentOperationNotFound", $"Deployment operation '{route.OperationId}' of deployment '{deployment.Name}' could not be found.");
        return TypedResults.Ok(DeploymentShapes.Operation(deployment, operation));
    }

    private static async Task<Ok<JsonObject>> Status(OperationRoute route, DeploymentService deployments, HttpContext http, CancellationToken ct)
    {
        var deployment = await deployments.FindAsync(route.Scope, ct);
        if (!Guid.TryParse(route.OperationId, out var id) || id != deployment.OperationId)
            throw ArmException.NotFound($"{DeploymentIds.Of(deployment)}/operationStatuses/{route.OperationId}");
        // Without Retry-After azure-core's poller waits 30 s between polls.
        if (!DeploymentStates.IsTerminal(deployment.ProvisioningState)) http.Response.Headers.RetryAfter = "1";
        var status = new JsonObject { ["status"] = deployment.ProvisioningState };
        if (deployment.ErrorJson is not null) status["error"] = JsonNode.Parse(deployment.ErrorJson);
        return TypedResults.Ok(status);
    }
}
