using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using BackupControlPlane.Api.Arm;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace BackupControlPlane.Api.Features.Deployments;

/// <summary>What one ARM call through the emulator's own pipeline answered.</summary>
public sealed record ArmCall(HttpStatusCode Status, JsonNode? Body, HttpResponseHeaders Headers)
{
    public bool IsSuccess => (int)Status is >= 200 and < 300;

    /// <summary>ARM's error of a failed answer (the body's <c>error</c>), or one made from the status when the body has none.</summary>
    public ArmErrorBody Error() => Body?["error"] is JsonObject e
        ? DeploymentErrors.FromJson(e)
        : new ArmErrorBody(Status.ToString(), $"The resource operation answered {(int)Status} {Status} without an error body.");
}

/// <summary>
/// The emulator calling its own ARM routes over loopback HTTP, as any client would: a deployment's resource writes go
/// through the same routing, authentication, api-version checks, validation and handlers as a direct PUT, so a
/// deployment can never create something a direct call could not. The address is the service's own plain-http
/// listener (a loopback call needs no TLS); each call carries a token minted for the deployment's caller.
/// </summary>
public sealed class ArmPipeline(IServer server) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = TimeSpan.FromMinutes(2),
    };
    private Uri? _base;

    /// <summary>The service's own http address (https when it has no other), with wildcard hosts as loopback.</summary>
    public Uri BaseAddress => _base ??= new Uri((server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
        .OrderBy(a => a.StartsWith("https", StringComparison.OrdinalIgnoreCase)).FirstOrDefault()
        ?.Replace("://+", "://127.0.0.1").Replace("://*", "://127.0.0.1").Replace("://[::]", "://127.0.0.1").Replace("://0.0.0.0", "://127.0.0.1")
        ?? throw new InvalidOperationException("The service has no listening address to send deployment requests to."));

    public async Task<ArmCall> SendAsync(HttpMethod method, string pathAndQuery, JsonNode? body, string token, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, new Uri(BaseAddress, pathAndQuery));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null) request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await _http.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        JsonNode? json = null;
        if (text.Length > 0)
        {
            try { json = JsonNode.Parse(text); }
            catch (System.Text.Json.JsonException) { json = new JsonObject { ["error"] = new JsonObject { ["code"] = response.StatusCode.ToString(), ["message"] = text.Length > 500 ? text[..500] : text } }; }
        }
        return new ArmCall(response.StatusCode, json, response.Headers);
    }

    /// <summary>
    /// A resource's PUT followed to its end as ARM's deployment engine does: the resource's own Azure-AsyncOperation
    /// (or Location) polled until terminal, then the resource read back. The answer is the final GET, or the error.
    /// </summary>
    public async Task<ArmCall> PutAndWaitAsync(string resourceId, string apiVersion, JsonNode body, string token, CancellationToken ct)
    {
        var url = resourceId + "?api-version=" + Uri.EscapeDataString(apiVersion);
        var put = await SendAsync(HttpMethod.Put, url, body, token, ct);
        if (!put.IsSuccess) return put;
        if (put.Headers.TryGetValues("Azure-AsyncOperation", out var async) && Local(async.First()) is { } status)
        {
            var final = await PollAsync(status, token, p => !p.IsSuccess || !IsRunning(p.Body?["status"]?.ToString()), ct);
            if (!final.IsSuccess) return final;
            if (final.Body?["status"]?.ToString() is { } state && !state.Equals("Succeeded", StringComparison.OrdinalIgnoreCase))
                return Failed(final.Body?["error"]?.DeepClone(), $"The resource operation completed with terminal provisioning state '{state}'.");
        }
        else if (put.Status == HttpStatusCode.Accepted && put.Headers.Location is { } location)
        {
            var final = await PollAsync(Local(location.ToString())!, token, p => p.Status != HttpStatusCode.Accepted, ct);
            if (!final.IsSuccess) return final;
        }
        else if (IsTerminal(StateOf(put))) return put;
        var read = await PollAsync(url, token, g => !g.IsSuccess || IsTerminal(StateOf(g)), ct);
        return StateOf(read) is "Failed" or "Canceled"
            ? Failed(null, $"The resource write operation failed to complete successfully, because it reached terminal provisioning state '{StateOf(read)}'.")
            : read;
    }

    private const int PollDelayMs = 250;
    private static readonly TimeSpan PollLimit = TimeSpan.FromMinutes(30);

    private static string? StateOf(ArmCall call) => call.Body?["properties"]?["provisioningState"]?.ToString();

    private static bool IsTerminal(string? state) => state is null or "Succeeded" or "Failed" or "Canceled";

    private static bool IsRunning(string? status) => status?.ToLowerInvariant() is "inprogress" or "running" or "accepted" or "notstarted" or "creating" or "updating";

    /// <summary>GETs <paramref name="url"/> until <paramref name="done"/> holds (or the limit passes: a failure).</summary>
    private async Task<ArmCall> PollAsync(string url, string token, Func<ArmCall, bool> done, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + PollLimit;
        while (true)
        {
            var poll = await SendAsync(HttpMethod.Get, url, null, token, ct);
            if (done(poll)) return poll;
            if (DateTime.UtcNow > deadline) return Failed(null, $"The resource operation did not finish within {PollLimit.TotalMinutes} minutes ({url}).");
            await Task.Delay(PollDelayMs, ct);
        }
    }

    private static ArmCall Failed(JsonNode? error, string message) => new(HttpStatusCode.Conflict,
        new JsonObject { ["error"] = error ?? new JsonObject { ["code"] = "ResourceDeploymentFailure", ["message"] = message } }, new HttpResponseMessage().Headers);

    /// <summary>A polling URL as the emulator wrote it (on its public base, maybe behind a proxy): its path, sent to the own address.</summary>
    private static string? Local(string url) => Uri.TryCreate(url, UriKind.Absolute, out var u) ? u.PathAndQuery : url.StartsWith('/') ? url : null;

    public void Dispose() => _http.Dispose();
}
