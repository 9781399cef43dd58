using System.Net.Http.Headers;
using System.Net.Http.Json;
using BackupControlPlane.Contracts;

namespace BackupControlPlane.Agent;

/// <summary>The agent's authenticated calls to the control plane: every request carries the VM's credential.</summary>
public sealed class AgentChannel(HttpClient http, AgentIdentity identity)
{
    public AgentIdentity Identity => identity;

    public Task ReportAsync(string taskId, TaskStatusReport report, CancellationToken ct) =>
        PostAsync(AgentRoutes.TaskStatus.Replace("{taskId}", Uri.EscapeDataString(taskId)), report, ct);

    /// <summary>
    /// A report that may be lost: false when the control plane could not be reached or failed (no answer, 5xx), as when
    /// it is restarting. A refusal (4xx: the task was cancelled or is not this VM's) still throws.
    /// </summary>
    public async Task<bool> TryReportAsync(string taskId, TaskStatusReport report, CancellationToken ct)
    {
        try
        {
            await ReportAsync(taskId, report, ct);
            return true;
        }
        catch (Exception e) when (!ct.IsCancellationRequested && (e is IOException or TaskCanceledException
            || e is HttpRequestException { StatusCode: null } || e is HttpRequestException { StatusCode: >= System.Net.HttpStatusCode.InternalServerError }))
        {
            return false;
        }
    }

    public async Task PostAsync<T>(string path, T body, CancellationToken ct)
    {
        using var response = await SendAsync(HttpMethod.Post, path, body, ct);
    }

    /// <summary>Sends with the credential; a 401 (expired or superseded) registers again and retries once.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, path);
            if (body is not null) request.Content = JsonContent.Create(body, body.GetType());
            request.Headers.Authorization = new AuthenticationHeaderValue(AgentRoutes.Scheme, await identity.CredentialAsync(ct));
            var response = await http.SendAsync(request, ct);
            if (response.StatusCode == System.Net.HttpStatusCode.Unauthorized && attempt == 0)
            {
                response.Dispose();
                identity.Invalidate();
                continue;
            }
            if (!response.IsSuccessStatusCode)
            {
                var status = response.StatusCode;
                response.Dispose();
                throw new HttpRequestException($"{method} {path} answered {(int)status}.", null, status);
            }
            return response;
        }
    }
}
