using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Features.Deployments.Templates;
using Hangfire;
using Hangfire.Server;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Deployments;

/// <summary>
/// The Hangfire job that carries out one run of a deployment. At least once: a run a crash cut off runs again from the
/// start, which is harmless because every resource PUT is idempotent and each operation row is keyed by its resource.
/// Independent resources go in parallel, dependents after their dependencies; each is written through the emulator's
/// own ARM pipeline (<see cref="ArmPipeline"/>) and followed to its end. A failure fails the deployment with
/// DeploymentFailed (the resource's ARM error in its details) and skips what depended on it; the rest still runs.
/// </summary>
[AutomaticRetry(Attempts = Retries, DelaysInSeconds = [1, 2, 5, 10, 30], OnAttemptsExceeded = AttemptsExceededAction.Delete)]
public sealed class DeploymentRunner(BackupDbContext db, ArmPipeline pipeline, IArmTokenIssuer tokens, DeploymentPlanner planner, TimeProvider time,
    ILogger<DeploymentRunner> log)
{
    public const int Retries = 5;
    private readonly SemaphoreSlim _db = new(1, 1);

    public async Task RunAsync(Guid deploymentId, Guid operationId, PerformContext? context, CancellationToken ct)
    {
        var lastAttempt = (context?.GetJobParameter<int>("RetryCount") ?? Retries) >= Retries;
        var deployment = await db.Deployments.FirstOrDefaultAsync(d => d.Id == deploymentId, ct);
        if (deployment is null)
        {
            // Enqueued just before the PUT's commit: not visible yet, so Hangfire runs this again shortly. Never committed
            // (the PUT lost a race for the name): the retries run out and nothing happens.
            if (!lastAttempt) throw new InvalidOperationException($"Deployment {deploymentId} is not committed yet.");
            return;
        }
        if (deployment.OperationId != operationId || DeploymentStates.IsTerminal(deployment.ProvisioningState)) return;
        try
        {
            await RunOnceAsync(deployment, operationId, ct);
        }
        catch (Exception e) when (lastAttempt && e is not OperationCanceledException)
        {
            // The last retry: the deployment ends Failed rather than Running for good (its job is deleted after this).
            log.LogError(e, "Deployment {Deployment} failed after {Retries} retries", deployment.Name, Retries);
            await FinishAsync(deployment, DeploymentStates.Failed,
                new ArmErrorBody(DeploymentErrors.DeploymentFailed, $"The deployment could not be carried out: {e.Message}", DeploymentIds.Of(deployment)), null, [], ct);
        }
    }

    private async Task RunOnceAsync(Deployment deployment, Guid operationId, CancellationToken ct)
    {
        deployment.ProvisioningState = DeploymentStates.Running;
        await db.SaveChangesAsync(ct);

        var token = tokens.Issue(deployment.CallerObjectId, deployment.CallerAppId);
        TemplatePlan plan;
        try
        {
            plan = await planner.PlanAsync(deployment, new PipelineResourceReader(pipeline, token), ct);
        }
        catch (TemplateException e)
        {
            await FinishAsync(deployment, DeploymentStates.Failed, DeploymentErrors.FromTemplate(e, preflight: false), null, [], ct);
            return;
        }

        var failures = new List<(string, ArmErrorBody)>();
        var runs = new Dictionary<string, Task<bool>>(StringComparer.OrdinalIgnoreCase);
        foreach (var resource in plan.Resources)
        {
            var dependencies = resource.DependsOn.Where(runs.ContainsKey).Select(d => runs[d]).ToList();
            runs[resource.ResourceId] = DeployAsync(deployment, resource, dependencies, token, failures, ct);
        }
        await Task.WhenAll(runs.Values);

        await db.Entry(deployment).ReloadAsync(ct);
        if (deployment.ProvisioningState == DeploymentStates.Canceled || deployment.OperationId != operationId) return;
        var written = plan.Resources.Where(r => !r.IsExisting).Select(r => r.ResourceId).ToList();
        if (failures.Count > 0)
        {
            await FinishAsync(deployment, DeploymentStates.Failed, DeploymentErrors.Failed(DeploymentIds.Of(deployment), failures), null, written, ct);
            return;
        }
        try
        {
            var outputs = await plan.EvaluateOutputsAsync(ct);
            await FinishAsync(deployment, DeploymentStates.Succeeded, null, outputs, written, ct);
        }
        catch (TemplateException e)
        {
            await FinishAsync(deployment, DeploymentStates.Failed, DeploymentErrors.FromTemplate(e, preflight: false), null, written, ct);
        }
    }

    private async Task<bool> DeployAsync(Deployment deployment, PlannedResource resource, List<Task<bool>> dependencies, string token,
        List<(string, ArmErrorBody)> failures, CancellationToken ct)
    {
        // A resource whose dependency failed is not attempted, as in ARM (its operation never appears).
        if ((await Task.WhenAll(dependencies)).Any(ok => !ok)) return false;
        await Task.Yield();
        if (await IsCanceledAsync(deployment.Id, ct)) return false;
        var started = time.GetUtcNow();
        var operation = await RecordAsync(deployment, resource, DeploymentStates.Running, null, null, started, ct);
        ArmCall result;
        try
        {
            if (resource.IsExisting)
                result = await pipeline.SendAsync(HttpMethod.Get, resource.ResourceId + "?api-version=" + Uri.EscapeDataString(resource.ApiVersion), null, token, ct);
            else
                result = await pipeline.PutAndWaitAsync(resource.ResourceId, resource.ApiVersion, await resource.EvaluateBodyAsync(ct), token, ct);
        }
        catch (TemplateException e)
        {
            var error = DeploymentErrors.FromTemplate(e, preflight: false);
            await RecordAsync(deployment, resource, DeploymentStates.Failed, "BadRequest", error, started, ct, operation);
            lock (failures) failures.Add((resource.ResourceId, error));
            return false;
        }
        catch (HttpRequestException e)
        {
            log.LogWarning(e, "Deployment {Deployment}: the call for {Resource} failed", deployment.Name, resource.ResourceId);
            throw; // the service itself is unreachable: the job runs again (every step is idempotent)
        }
        if (result.IsSuccess)
        {
            await RecordAsync(deployment, resource, DeploymentStates.Succeeded, result.Status.ToString(), null, started, ct, operation);
            return true;
        }
        var inner = result.Error();
        await RecordAsync(deployment, resource, DeploymentStates.Failed, result.Status.ToString(), inner, started, ct, operation);
        lock (failures) failures.Add((resource.ResourceId, inner));
        return false;
    }

    private async Task<bool> IsCanceledAsync(Guid id, CancellationToken ct)
    {
        await _db.WaitAsync(ct);
        try { return await db.Deployments.AsNoTracking().Where(d => d.Id == id).Select(d => d.ProvisioningState).FirstAsync(ct) == DeploymentStates.Canceled; }
        finally { _db.Release(); }
    }

    /// <summary>Creates or updates the resource's operation (one per resource and run: its id derives from both).</summary>
    private async Task<DeploymentOperation> RecordAsync(Deployment deployment, PlannedResource resource, string state, string? statusCode, ArmErrorBody? error,
        DateTimeOffset started, CancellationToken ct, DeploymentOperation? existing = null)
    {
        await _db.WaitAsync(ct);
        try
        {
            var id = OperationIdOf(deployment.OperationId, resource.ResourceId);
            var operation = existing ?? await db.DeploymentOperations.FirstOrDefaultAsync(o => o.DeploymentId == deployment.Id && o.OperationId == id, ct);
            if (operation is null)
            {
                operation = new DeploymentOperation
                {
                    DeploymentId = deployment.Id, OperationId = id, ResourceId = resource.ResourceId, ResourceType = resource.Type, ResourceName = resource.Name,
                    ProvisioningOperation = resource.IsExisting ? "Read" : "Create", ProvisioningState = state,
                };
                db.DeploymentOperations.Add(operation);
            }
            var now = time.GetUtcNow();
            operation.ProvisioningState = state;
            operation.StatusCode = statusCode;
            operation.StatusMessageJson = error is null ? null : JsonSerializer.Serialize(new { error }, JsonSerializerOptions.Web);
            operation.Timestamp = now;
            operation.Duration = now - started;
            await db.SaveChangesAsync(ct);
            return operation;
        }
        finally { _db.Release(); }
    }

    private async Task FinishAsync(Deployment deployment, string state, ArmErrorBody? error, JsonObject? outputs, IReadOnlyList<string> written, CancellationToken ct)
    {
        await _db.WaitAsync(ct);
        try
        {
            var now = time.GetUtcNow();
            deployment.ProvisioningState = state;
            deployment.ErrorJson = error is null ? null : DeploymentErrors.ToJson(error);
            deployment.OutputsJson = outputs?.ToJsonString();
            deployment.OutputResourcesJson = JsonSerializer.Serialize(written);
            deployment.Timestamp = now;
            deployment.Duration = now - deployment.StartedAt;
            await db.SaveChangesAsync(ct);
        }
        finally { _db.Release(); }
    }

    /// <summary>ARM's operation ids are 16 upper-case hex digits; here a hash of the run and the resource, so a repeated run finds its rows.</summary>
    public static string OperationIdOf(Guid run, string resourceId) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{run:N}|{resourceId.ToLowerInvariant()}")))[..16];
}
