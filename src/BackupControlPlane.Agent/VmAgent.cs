using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using BackupControlPlane.Contracts;
using Microsoft.Extensions.Logging;

namespace BackupControlPlane.Agent;

public enum AgentBehavior
{
    /// <summary>Snapshots and reports as the real extension does.</summary>
    Normal,
    /// <summary>Fetches tasks but never answers: the control plane's timeout must fail the job.</summary>
    Silent,
}

/// <summary>
/// The guest agent of one VM plus its VMSnapshot handler: long-polls the goal state, snapshots each disk blob through
/// its SAS URI, writes the status and log blobs, and reports. Speaks HTTP only; knows nothing of the control plane's
/// internals.
/// </summary>
public sealed class VmAgent(HttpClient http, string provisioningSecret, ILogger logger, AgentBehavior behavior = AgentBehavior.Normal, TimeSpan? hold = null)
{
    private readonly AgentIdentity _identity = new(http, provisioningSecret);

    public AgentIdentity Identity => _identity;

    public const string Version = "2.14.0.1";
    private readonly HashSet<string> _installed = [];
    private readonly Dictionary<string, TaskStatusReport> _processed = [];
    private long _incarnation = -1;

    public event Action<string, TaskStatusReport>? TaskFinished;

    public async Task RunAsync(CancellationToken ct)
    {
        var backoff = TimeSpan.FromMilliseconds(250);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await PollOnceAsync(ct);
                backoff = TimeSpan.FromMilliseconds(250);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or JsonException or TaskCanceledException)
            {
                logger.LogDebug("Goal-state poll failed ({Message}); retrying in {Backoff}", e.Message, backoff);
                await Task.Delay(backoff, ct).ContinueWith(_ => { }, TaskScheduler.Default);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }

    /// <summary>One long-poll and whatever work it brings.</summary>
    public async Task PollOnceAsync(CancellationToken ct)
    {
        var wait = hold is { } h ? $"&waitSeconds={(int)h.TotalSeconds}" : "";
        using var response = await SendAsync(HttpMethod.Get, $"{AgentRoutes.GoalState}?incarnation={_incarnation}{wait}", null, ct);
        var goal = await response.Content.ReadFromJsonAsync<AgentGoalState>(ct) ?? throw new JsonException("Empty goal state.");
        _incarnation = goal.Incarnation;
        foreach (var ext in goal.Extensions)
        {
            if (_installed.Add(ext.Name))
                await PostAsync(AgentRoutes.ExtensionStatus.Replace("{name}", ext.Name), new ExtensionHandlerReport("Ready", ext.TypeHandlerVersion + ".0.0"), ct);
            if (ext is { PublicSettings.CommandToExecute: VmSnapshotExtension.SnapshotCommand, ProtectedSettings: { } encrypted })
            {
                SnapshotProtectedSettings secrets;
                try
                {
                    secrets = _identity.Decrypt(encrypted);
                }
                catch (System.Security.Cryptography.CryptographicException)
                {
                    // Encrypted to a certificate this agent does not hold (an earlier registration): register again.
                    _identity.Invalidate();
                    _incarnation = -1;
                    continue;
                }
                await RunSnapshotAsync(ext.PublicSettings, secrets, ct);
            }
        }
    }

    private async Task RunSnapshotAsync(SnapshotPublicSettings settings, SnapshotProtectedSettings secrets, CancellationToken ct)
    {
        var taskId = settings.TaskId;
        if (_processed.TryGetValue(taskId, out var previous))
        {
            // Redelivered (the control plane missed our answer): the real extension does not snapshot twice either.
            await ReportAsync(taskId, previous, ct);
            return;
        }
        if (behavior == AgentBehavior.Silent)
        {
            _processed[taskId] = new TaskStatusReport(TaskStatuses.Transitioning, VmSnapshotExtension.Codes.Transitioning);
            return;
        }
        await ReportAsync(taskId, new TaskStatusReport(TaskStatuses.Transitioning, VmSnapshotExtension.Codes.Transitioning), ct);
        var log = new StringBuilder();
        log.AppendLine($"{DateTimeOffset.UtcNow:o} Guest Agent Version is {Version}; BackupControlPlane.Agent VMSnapshot handler");
        log.AppendLine($"{DateTimeOffset.UtcNow:o} task {taskId}, commandStartTimeUTCTicks {settings.CommandStartTimeUTCTicks}");

        var infos = new List<SnapshotInfo>();
        IReadOnlyList<string> sasUris;
        try
        {
            sasUris = ObjectStr.Decode(secrets.ObjectStr);
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            var bad = new TaskStatusReport(TaskStatuses.Error, VmSnapshotExtension.Codes.ErrorParameter, "objectStr could not be decoded.");
            _processed[taskId] = bad;
            await ReportAsync(taskId, bad, ct);
            return;
        }
        await Parallel.ForEachAsync(sasUris, ct, async (sas, token) =>
        {
            var blob = new BlobClient(new Uri(sas));
            var blobUri = new BlobUriBuilder(blob.Uri) { Sas = null, Query = "" }.ToUri().ToString();
            try
            {
                var snapshot = await blob.CreateSnapshotAsync(new Dictionary<string, string> { ["taskId"] = taskId.Replace("-", "") }, cancellationToken: token);
                lock (infos) infos.Add(new SnapshotInfo(true, $"{blobUri}?snapshot={snapshot.Value.Snapshot}", "", blobUri));
            }
            catch (RequestFailedException e)
            {
                lock (infos) infos.Add(new SnapshotInfo(false, null, $"Snapshot of {blobUri} failed: {e.Status} {e.ErrorCode}", blobUri));
            }
        });
        foreach (var i in infos) log.AppendLine($"{DateTimeOffset.UtcNow:o} {(i.IsSuccessful ? "snapshot " + i.SnapshotUri : i.ErrorMessage)}");

        var ok = infos.All(i => i.IsSuccessful);
        var code = ok ? VmSnapshotExtension.Codes.SuccessFileSystemConsistent : VmSnapshotExtension.Codes.Error;
        var message = JsonSerializer.Serialize(new SnapshotMessage(ok ? "Succeeded" : "Snapshot failed for some disks",
            ok ? SnapshotMessage.ConsistencyFileSystem : SnapshotMessage.ConsistencyNone, "", false), SnapshotStatusDocument.Json);
        var entry = new SnapshotStatusEntry("1.0.9184.0", SnapshotStatusDocument.TimestampUtc(DateTimeOffset.UtcNow),
            new SnapshotStatus(VmSnapshotExtension.Publisher + ".VMSnapshot", "Enable", ok ? TaskStatuses.Success : TaskStatuses.Error,
                code.ToString(), new FormattedMessage("en-US", message), [], taskId, settings.CommandStartTimeUTCTicks,
                Environment.MachineName, infos));

        TaskStatusReport report;
        try
        {
            await new BlobClient(new Uri(secrets.StatusBlobUri)).UploadAsync(BinaryData.FromBytes(SnapshotStatusDocument.Serialize(entry)), overwrite: true, ct);
            log.AppendLine($"{DateTimeOffset.UtcNow:o} status written; result {(ok ? "success" : "error")}");
            await new BlobClient(new Uri(secrets.LogsBlobUri)).UploadAsync(BinaryData.FromString(log.ToString()), overwrite: true, ct);
            report = ok
                ? new TaskStatusReport(TaskStatuses.Success, code)
                : new TaskStatusReport(TaskStatuses.Error, code, string.Join("; ", infos.Where(i => !i.IsSuccessful).Select(i => i.ErrorMessage)));
        }
        catch (RequestFailedException e)
        {
            report = new TaskStatusReport(TaskStatuses.Error, VmSnapshotExtension.Codes.HttpFailure, $"Writing the status blob failed: {e.Status} {e.ErrorCode}");
        }
        _processed[taskId] = report;
        await ReportAsync(taskId, report, ct);
        TaskFinished?.Invoke(taskId, report);
    }

    private Task ReportAsync(string taskId, TaskStatusReport report, CancellationToken ct) =>
        PostAsync(AgentRoutes.TaskStatus.Replace("{taskId}", Uri.EscapeDataString(taskId)), report, ct);

    private async Task PostAsync<T>(string path, T body, CancellationToken ct)
    {
        using var response = await SendAsync(HttpMethod.Post, path, body, ct);
    }

    /// <summary>Sends with the credential; a 401 (expired or superseded) registers again and retries once.</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, path);
            if (body is not null) request.Content = JsonContent.Create(body, body.GetType());
            request.Headers.Authorization = new AuthenticationHeaderValue(AgentRoutes.Scheme, await _identity.CredentialAsync(ct));
            var response = await http.SendAsync(request, ct);
            if (response.StatusCode == System.Net.HttpStatusCode.Unauthorized && attempt == 0)
            {
                response.Dispose();
                _identity.Invalidate();
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
