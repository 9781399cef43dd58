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
