using System.Text.RegularExpressions;
using System.Text.Json.Nodes;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Deployments;

/// <summary>
/// Microsoft.Resources/deployments at resource-group scope and at subscription scope (with <c>location</c>, for
/// templates that create resource groups): PUT (201/200 with Azure-AsyncOperation, Accepted → Running → Succeeded or
/// Failed), GET, HEAD, LIST, DELETE; the actions are in <see cref="DeploymentActionEndpoints"/>.
/// </summary>
public static partial class DeploymentEndpoints
{
    public const string GroupScope = "/subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}/providers/Microsoft.Resources/deployments";
    public const string SubscriptionScope = "/subscriptions/{subscriptionId}/providers/Microsoft.Resources/deployments";

    /// <summary>
    /// A deployment's route values, bound from the route by hand: the resource group is absent at subscription scope,
    /// which [FromRoute] refuses at start-up for the route without it.
    /// </summary>
    public sealed record DeploymentRoute(string SubscriptionId, string? ResourceGroupName, string DeploymentName)
    {
        public DeploymentScope Scope => new(SubscriptionId, ResourceGroupName, DeploymentName);

        public static ValueTask<DeploymentRoute?> BindAsync(HttpContext http) => ValueTask.FromResult<DeploymentRoute?>(
            new(Value(http, "subscriptionId")!, Value(http, "resourceGroupName"), Value(http, "deploymentName")!));
    }

    public sealed record ListRoute(string SubscriptionId, string? ResourceGroupName)
    {
        public static ValueTask<ListRoute?> BindAsync(HttpContext http) =>
            ValueTask.FromResult<ListRoute?>(new(Value(http, "subscriptionId")!, Value(http, "resourceGroupName")));
    }

    internal static string? Value(HttpContext http, string name) => http.GetRouteValue(name) as string;

    public static void MapDeployments(this IEndpointRouteBuilder app)
    {
        var group = app.MapArm().WithTags("Microsoft.Resources (deployments)").AddEndpointFilter(AnswerPreflightRefusals);
        foreach (var scope in new[] { GroupScope, SubscriptionScope })
        {
            var one = scope + "/{deploymentName}";
            group.MapPut(one, Put).Accepts<JsonObject>("application/json")
                .WithSummary("Deploy a template (inline, or templateLink into the emulator's blob storage): 201/200 with Azure-AsyncOperation; Incremental mode only.");
            group.MapGet(one, Get).WithSummary("A deployment: provisioningState, parameters (secure values hidden), outputs, outputResources, error.");
            group.MapMethods(one, [HttpMethods.Head], Exists).WithSummary("204 when the deployment exists, else 404.");
            group.MapDelete(one, Delete).InOneTransaction().WithSummary("Delete a finished deployment's record (its resources stay, as in Azure): 204.");
            group.MapGetAtRuntime(scope, List).WithSummary("The deployments at this scope.");
        }
        app.MapDeploymentActions();
    }

    private static async Task<Results<JsonHttpResult<JsonObject>, Ok<JsonObject>>> Put(DeploymentRoute route, HttpContext http,
        DeploymentRequestReader reader, DeploymentService deployments, CancellationToken ct)
    {
        var request = await reader.ReadAsync(http.Request, locationRequired: route.ResourceGroupName is null, ct);
        var created = await deployments.CreateAsync(route.Scope, request, http.User, ct);
        var d = created.Deployment;
        http.Response.Headers.RetryAfter = "1";
        http.Response.Headers["Azure-AsyncOperation"] = ArmAccepted.AbsoluteUrl(http, $"{DeploymentIds.Of(d)}/operationStatuses/{d.OperationId:N}");
        return TypedResults.Json(DeploymentShapes.Resource(d), statusCode: created.IsNew ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    }

    private static async Task<Ok<JsonObject>> Get(DeploymentRoute route, DeploymentService deployments, CancellationToken ct) =>
        TypedResults.Ok(DeploymentShapes.Resource(await deployments.FindAsync(route.Scope, ct)));

    private static async Task<Results<NoContent, NotFound>> Exists(DeploymentRoute route, BackupDbContext db, CancellationToken ct)
    {
        var key = Deployment.KeyOf(DeploymentIds.Scope(route.SubscriptionId, route.ResourceGroupName), route.DeploymentName);
        return await db.Deployments.AnyAsync(d => d.Key == key, ct) ? TypedResults.NoContent() : TypedResults.NotFound();
    }

    private static async Task<NoContent> Delete(DeploymentRoute route, BackupDbContext db, CancellationToken ct)
    {
        var key = Deployment.KeyOf(DeploymentIds.Scope(route.SubscriptionId, route.ResourceGroupName), route.DeploymentName);
        var deployment = await db.Deployments.FirstOrDefaultAsync(d => d.Key == key, ct);
        if (deployment is null) return TypedResults.NoContent();
        if (!DeploymentStates.IsTerminal(deployment.ProvisioningState))
            throw new ArmException(409, "DeploymentActive", $"The deployment '{deployment.Name}' is still active and cannot be deleted; cancel it first.");
        db.Deployments.Remove(deployment);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<ArmList<JsonObject>>> List(ListRoute route, BackupDbContext db, CancellationToken ct,
        [FromQuery(Name = "$filter")] string? filter = null, [FromQuery(Name = "$top")] int? top = null)
    {
        var prefix = DeploymentIds.Scope(route.SubscriptionId, route.ResourceGroupName).ToLowerInvariant() + "/";
        var query = db.Deployments.AsNoTracking();
        query = route.ResourceGroupName is null
            ? query.Where(d => d.SubscriptionId == route.SubscriptionId && d.ResourceGroup == null)
            : query.Where(d => d.Key.StartsWith(prefix));
        // The one filter ARM documents for deployments (az deployment group list --filter "provisioningState eq 'Failed'").
        if (filter is not null)
        {
            var state = StateFilter().Match(filter) is { Success: true } m ? m.Groups[1].Value
                : throw ArmException.BadRequest($"The $filter '{filter}' is not supported: only provisioningState eq '{{state}}'.", "InvalidRequestContent");
            query = query.Where(d => d.ProvisioningState == state);
        }
        var rows = await query.OrderBy(d => d.Key).Take(Top(top)).ToListAsync(ct);
        return TypedResults.Ok(new ArmList<JsonObject>([.. rows.Select(DeploymentShapes.Resource)]));
    }

    /// <summary>A preflight refusal carries ARM's whole error (additionalInfo, details), so it is answered here rather than as an ArmException.</summary>
    private static async ValueTask<object?> AnswerPreflightRefusals(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try { return await next(context); }
        catch (DeploymentPreflightException e) { return TypedResults.Json(new ArmErrorResponse(e.Error), statusCode: StatusCodes.Status400BadRequest); }
    }

    /// <summary>$top as ARM reads it: a positive count, else 400 naming it.</summary>
    internal static int Top(int? top) => top switch
    {
        null => int.MaxValue,
        > 0 => top.Value,
        _ => throw ArmException.BadRequest($"The $top value '{top}' must be a positive integer.", "InvalidRequestContent"),
    };

    [GeneratedRegex(@"^\s*provisioningState\s+eq\s+'([A-Za-z]+)'\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex StateFilter();
}
