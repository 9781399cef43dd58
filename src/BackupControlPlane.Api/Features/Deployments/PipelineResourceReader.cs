using System.Net;
using System.Text.Json.Nodes;
using BackupControlPlane.Api.Features.Deployments.Templates;

namespace BackupControlPlane.Api.Features.Deployments;

/// <summary>
/// The template engine's view of existing resources (reference(), list*(), <c>existing</c>): GET and POST through the
/// emulator's own ARM pipeline with the deployment's caller token, so a template reads exactly what a client would.
/// </summary>
public sealed class PipelineResourceReader(ArmPipeline pipeline, string token) : IResourceReader
{
    public async Task<JsonObject?> GetAsync(string resourceId, string apiVersion, CancellationToken ct)
    {
        var call = await pipeline.SendAsync(HttpMethod.Get, resourceId + "?api-version=" + Uri.EscapeDataString(apiVersion), null, token, ct);
        if (call.Status == HttpStatusCode.NotFound) return null;
        if (!call.IsSuccess) throw Failed(resourceId, call);
        return call.Body as JsonObject;
    }

    public async Task<JsonNode?> InvokeActionAsync(string resourceId, string action, string apiVersion, JsonNode? body, CancellationToken ct)
    {
        var call = await pipeline.SendAsync(HttpMethod.Post, $"{resourceId}/{action}?api-version={Uri.EscapeDataString(apiVersion)}", body ?? new JsonObject(), token, ct);
        if (!call.IsSuccess) throw Failed(resourceId, call);
        return call.Body;
    }

    private static TemplateException Failed(string resourceId, ArmCall call)
    {
        var error = call.Error();
        return new TemplateException(error.Code, $"Reading '{resourceId}' failed: {error.Message}", resourceId);
    }
}
