using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using BackupControlPlane.Contracts;
using Microsoft.Extensions.Logging;

namespace BackupControlPlane.Agent;

/// <summary>How one agent runs: its long-poll hold, where it keeps task state, and a fault to inject.</summary>
public sealed record VmAgentOptions
{
    /// <summary>How long the server may hold each goal-state poll; the server's default when null.</summary>
    public TimeSpan? Hold { get; init; }
    /// <summary>Task state; survives restarts when it is a <see cref="DirectoryAgentStateStore"/>.</summary>
    public IAgentStateStore? State { get; init; }
    /// <summary>A fault from the command line; one set through the emulator's control route takes precedence.</summary>
    public AgentFault? Fault { get; init; }
    /// <summary>The VM's clock: retry back-off, injected delays (late, offline), timestamps in its logs and status.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
    /// <summary>The extension's configuration folder (/etc/azure on Azure): VMSnapshotScriptPluginConfig.json; none when null.</summary>
    public string? ConfigDirectory { get; init; }
    /// <summary>The VM's key pair and certificate, reused by every start (<see cref="AgentKeys"/>); a new key per agent when null.</summary>
    public AgentKeys? Keys { get; init; }
}

/// <summary>Thrown by the crash fault: the agent dies after snapshotting, before it reports.</summary>
public sealed class AgentCrashedException(string taskId) : Exception($"Crashed during task {taskId} (injected fault).")
{
    public string TaskId { get; } = taskId;
}

/// <summary>The provisioning secret was refused: retrying cannot help.</summary>
public sealed class AgentRegistrationRefusedException(string message) : Exception(message);

/// <summary>
/// The guest agent of one VM plus its VMSnapshot handler: long-polls the goal state, snapshots each disk blob through
/// its SAS URI, writes the status and log blobs, and reports. Speaks HTTP only; knows nothing of the control plane's
/// internals.
/// </summary>
public sealed class VmAgent(HttpClient http, string provisioningSecret, ILogger logger, VmAgentOptions? options = null)
{
    public const string Version = "2.14.0.1";

    private readonly VmAgentOptions _options = options ?? new VmAgentOptions();
    private readonly AgentChannel _channel = new(http, new AgentIdentity(http, provisioningSecret, options?.Time, options?.Keys));
    private readonly IAgentStateStore _state = options?.State ?? new MemoryAgentStateStore();
    private readonly HashSet<string> _installed = [];
    private readonly VssState _vss = new();
    private readonly Dictionary<string, TaskStatusReport> _unacknowledged = [];
    private long _incarnation = -1;
    private long? _offlineApplied;
    private int _snapshotsTaken;

    public AgentIdentity Identity => _channel.Identity;

    /// <summary>Disk snapshots this agent instance has taken (a restarted agent starts from zero).</summary>
    public int SnapshotsTaken => Volatile.Read(ref _snapshotsTaken);

    /// <summary>Raised after each terminal report, with the task id and what was reported.</summary>
    public event Action<string, TaskStatusReport>? TaskFinished;

    /// <summary>Polls until cancelled. Throws <see cref="AgentCrashedException"/> for the crash fault.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        if (_options.Fault is { Mode: AgentFault.Offline, Seconds: { } s }) await GoOfflineAsync(s, null, ct);
        var backoff = TimeSpan.FromMilliseconds(250);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await FlushReportsAsync(ct);
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
                await Task.Delay(backoff, _options.Time, ct).ContinueWith(_ => { }, TaskScheduler.Default);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }

    /// <summary>One long-poll and whatever work it brings.</summary>
    public async Task PollOnceAsync(CancellationToken ct)
    {
        var wait = _options.Hold is { } h ? $"&waitSeconds={(int)h.TotalSeconds}" : "";
        using var response = await _channel.SendAsync(HttpMethod.Get, $"{AgentRoutes.GoalState}?incarnation={_incarnation}{wait}", null, ct);
        var goal = await response.Content.ReadFromJsonAsync<AgentGoalState>(ct) ?? throw new JsonException("Empty goal state.");
        _incarnation = goal.Incarnation;
        var fault = goal.Fault ?? _options.Fault;
        if (goal.Fault is { Mode: AgentFault.Offline, Seconds: { } seconds } && _offlineApplied != goal.Fault.Serial)
        {
            _offlineApplied = goal.Fault.Serial;
            await GoOfflineAsync(seconds, goal.Fault.Serial, ct);
            return;
        }
        foreach (var ext in goal.Extensions)
        {
            if ((!_installed.Contains(ext.Name) || fault?.Mode == AgentFault.InstallFailed) && InjectedFailures.HandlerReport(ext, fault) is var installed)
            {
                await _channel.PostAsync(AgentRoutes.ExtensionStatus.Replace("{name}", ext.Name), installed, ct);
                if (installed.Status == "Ready") _installed.Add(ext.Name); else _installed.Remove(ext.Name);
            }
            if (ext is { PublicSettings.CommandToExecute: VmSnapshotExtension.SnapshotCommand, ProtectedSettings: { } encrypted })
            {
                SnapshotProtectedSettings secrets;
                try
                {
                    secrets = Identity.Decrypt(encrypted);
                }
                catch (System.Security.Cryptography.CryptographicException)
                {
                    // Encrypted to a certificate this agent does not hold (an earlier registration): register again.
                    Identity.Invalidate();
                    _incarnation = -1;
                    continue;
                }
                await RunSnapshotAsync(ext.Type, ext.PublicSettings, secrets, fault, ct);
            }
        }
    }

    private async Task GoOfflineAsync(int seconds, long? serial, CancellationToken ct)
    {
        logger.LogWarning("Network lost for {Seconds} s (injected fault{Serial})", seconds, serial is null ? "" : $" #{serial}");
        await Task.Delay(TimeSpan.FromSeconds(seconds), _options.Time, ct);
        logger.LogInformation("Network back");
    }

    private async Task RunSnapshotAsync(string type, SnapshotPublicSettings settings, SnapshotProtectedSettings secrets, AgentFault? fault, CancellationToken ct)
    {
        var taskId = settings.TaskId;
        if (_state.Find(taskId) is { } seen)
        {
            if (fault?.Mode == AgentFault.Silent) return;
            // Redelivered. A finished task is reported again (reports are idempotent); one this agent started and never
            // finished (it died) gets the real extension's answer to a repeated taskId, and no second snapshot.
            var again = seen.Report ?? new TaskStatusReport(TaskStatuses.Success, VmSnapshotExtension.Codes.SuccessAlreadyProcessedInput,
                "Task already processed: the agent restarted during it.");
            if (seen.Report is null) _state.Save(seen with { Report = again });
            logger.LogInformation("Task {TaskId}: redelivered; answering {Status} (code {Code}) without a new snapshot", taskId, again.Status, again.Code);
            await _channel.ReportAsync(taskId, again, ct);
            return;
        }
        _state.Save(new AgentTaskRecord(taskId, null));
        if (fault?.Mode == AgentFault.Silent)
        {
            logger.LogWarning("Task {TaskId}: received; never answering (injected fault)", taskId);
            return;
        }
        var started = _options.Time.GetTimestamp();
        // Best effort (the final report is resent until taken): giving up here left the task "started, never finished".
        if (!await _channel.TryReportAsync(taskId, new TaskStatusReport(TaskStatuses.Transitioning, VmSnapshotExtension.Codes.Transitioning), ct))
            logger.LogWarning("Task {TaskId}: the control plane did not take the Transitioning report; snapshotting anyway", taskId);
        var log = new StringBuilder();
        log.AppendLine($"{_options.Time.GetUtcNow():o} Guest Agent Version is {Version}; BackupControlPlane.Agent VMSnapshot handler");
        log.AppendLine($"{_options.Time.GetUtcNow():o} task {taskId}, commandStartTimeUTCTicks {settings.CommandStartTimeUTCTicks}");

        IReadOnlyList<string> sasUris;
        try
        {
            sasUris = ObjectStr.Decode(secrets.ObjectStr);
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            await FinishAsync(taskId, new TaskStatusReport(TaskStatuses.Error, VmSnapshotExtension.Codes.ErrorParameter, "objectStr could not be decoded."), started, ct);
            return;
        }
        logger.LogInformation("Task {TaskId}: received, {Disks} disks", taskId, sasUris.Count);

        var infos = new List<SnapshotInfo>();
        var consistency = SnapshotConsistency.For(type, fault, _options, _vss, line => log.AppendLine($"{_options.Time.GetUtcNow():o} {line}"));
        if ((InjectedFailures.ForTask(fault) ?? await consistency.BeforeAsync(ct)) is { } failed)
        {
            log.AppendLine($"{_options.Time.GetUtcNow():o} snapshot failed with code {failed.Code}: {failed.Message}");
            await WriteStatusAsync(settings, secrets, log, false, failed.Code, [], null, ct);
            await FinishAsync(taskId, failed, started, ct);
            return;
        }
        await Parallel.ForEachAsync(sasUris, ct, async (sas, token) =>
        {
            var blob = StorageClients.Blob(sas);
            var blobUri = new BlobUriBuilder(blob.Uri) { Sas = null, Query = "" }.ToUri().ToString();
            try
            {
                var snapshot = await blob.CreateSnapshotAsync(new Dictionary<string, string> { [VmSnapshotExtension.SnapshotTagKey] = VmSnapshotExtension.SnapshotTag(taskId) }, cancellationToken: token);
                Interlocked.Increment(ref _snapshotsTaken);
                lock (infos) infos.Add(new SnapshotInfo(true, $"{blobUri}?snapshot={snapshot.Value.Snapshot}", "", blobUri));
            }
            catch (Exception e) when (IsStorageFailure(e))
            {
                lock (infos) infos.Add(new SnapshotInfo(false, null, $"Snapshot of {blobUri} failed: {StorageMessage(e)}", blobUri));
            }
        });
        foreach (var i in infos) log.AppendLine($"{_options.Time.GetUtcNow():o} {(i.IsSuccessful ? "snapshot " + i.SnapshotUri : i.ErrorMessage)}");
        if (fault?.Mode == AgentFault.Crash)
        {
            logger.LogWarning("Task {TaskId}: crashing after {Count} snapshots, before reporting (injected fault)", taskId, infos.Count);
            throw new AgentCrashedException(taskId);
        }
        if (fault is { Mode: AgentFault.Late, Seconds: { } late } && late > 0)
        {
            logger.LogInformation("Task {TaskId}: answering {Seconds} s late (injected fault)", taskId, late);
            await Task.Delay(TimeSpan.FromSeconds(late), _options.Time, ct);
        }

        var after = await consistency.AfterAsync(ct); // the post-script runs whatever the snapshots did: it resumes the application
        var ok = infos.All(i => i.IsSuccessful) && after is null;
        var code = after?.Code ?? (ok ? consistency.SuccessCode : infos.Any(i => i.ErrorMessage.Contains(Unreachable)) ? VmSnapshotExtension.Codes.SnapshotFailedNoNetwork : VmSnapshotExtension.Codes.Error);
        TaskStatusReport report;
        try
        {
            await WriteStatusAsync(settings, secrets, log, ok, code, infos, consistency, ct);
            report = ok
                ? new TaskStatusReport(TaskStatuses.Success, code)
                : new TaskStatusReport(TaskStatuses.Error, code, after?.Message ?? string.Join("; ", infos.Where(i => !i.IsSuccessful).Select(i => i.ErrorMessage)));
        }
        catch (Exception e) when (IsStorageFailure(e))
        {
            report = new TaskStatusReport(TaskStatuses.Error, VmSnapshotExtension.Codes.HttpFailure, $"Writing the status blob failed: {StorageMessage(e)}");
        }
        await FinishAsync(taskId, report, started, ct);
    }

    /// <summary>
    /// Storage refusing (RequestFailedException) or unreachable (the SDK's retries end in an AggregateException): the
    /// extension reports it as an error and keeps running, as the real one does.
    /// </summary>
    private static bool IsStorageFailure(Exception e) => e is RequestFailedException or HttpRequestException or AggregateException;

    private const string Unreachable = "storage unreachable";

    private static string StorageMessage(Exception e) => e switch
    {
        RequestFailedException { Status: > 0 } r => $"{r.Status} {r.ErrorCode}",
        AggregateException a => $"{Unreachable} (" + a.InnerExceptions.LastOrDefault()?.Message + ")",
        _ => $"{Unreachable} (" + e.Message + ")",
    };

    /// <summary>The status blob in the extension's shape, then the log blob.</summary>
    private async Task WriteStatusAsync(SnapshotPublicSettings settings, SnapshotProtectedSettings secrets, StringBuilder log, bool ok, int code,
        IReadOnlyList<SnapshotInfo> infos, SnapshotConsistency? consistency, CancellationToken ct)
    {
        var message = JsonSerializer.Serialize(new SnapshotMessage(ok ? "Succeeded" : "Snapshot failed",
            ok ? consistency?.Level ?? SnapshotMessage.ConsistencyFileSystem : SnapshotMessage.ConsistencyNone, "", false), SnapshotStatusDocument.Json);
        var entry = new SnapshotStatusEntry("1.0.9184.0", SnapshotStatusDocument.TimestampUtc(_options.Time.GetUtcNow()),
            new SnapshotStatus(VmSnapshotExtension.Publisher + ".VMSnapshot", "Enable", ok ? TaskStatuses.Success : TaskStatuses.Error,
                code.ToString(), new FormattedMessage("en-US", message), ok ? consistency?.Warnings ?? [] : [], settings.TaskId, settings.CommandStartTimeUTCTicks,
                Environment.MachineName, infos));
        await StorageClients.Blob(secrets.StatusBlobUri).UploadAsync(BinaryData.FromBytes(SnapshotStatusDocument.Serialize(entry)), overwrite: true, ct);
        log.AppendLine($"{_options.Time.GetUtcNow():o} status written; result {(ok ? "success" : "error")} (code {code})");
        await StorageClients.Blob(secrets.LogsBlobUri).UploadAsync(BinaryData.FromString(log.ToString()), overwrite: true, ct);
    }

    private async Task FinishAsync(string taskId, TaskStatusReport report, long started, CancellationToken ct)
    {
        _state.Save(new AgentTaskRecord(taskId, report));
        var level = report.Status == TaskStatuses.Success ? LogLevel.Information : LogLevel.Warning;
        logger.Log(level, "Task {TaskId}: {Status} (code {Code}) in {Seconds:0.00} s{Message}", taskId, report.Status, report.Code,
            _options.Time.GetElapsedTime(started).TotalSeconds, report.Message is null ? "" : ": " + report.Message);
        lock (_unacknowledged) _unacknowledged[taskId] = report;
        await FlushReportsAsync(ct);
    }

    /// <summary>
    /// Sends every final report the control plane has not acknowledged yet. A report whose answer was lost (a timeout,
    /// a dropped connection on a loaded machine) is sent again before the next poll, as the guest agent keeps reporting
    /// a handler's status file until it is taken: the control plane may have settled the task from the status blob and
    /// never deliver it again. Reports are idempotent there. Throws on failure; the poll loop backs off and comes back.
    /// </summary>
    private async Task FlushReportsAsync(CancellationToken ct)
    {
        KeyValuePair<string, TaskStatusReport>[] pending;
        lock (_unacknowledged) pending = [.. _unacknowledged];
        foreach (var (taskId, report) in pending)
        {
            try
            {
                await _channel.ReportAsync(taskId, report, ct);
            }
            catch (HttpRequestException e) when (e.StatusCode is { } refused && (int)refused is >= 400 and < 500
                && refused is not (System.Net.HttpStatusCode.Unauthorized or System.Net.HttpStatusCode.RequestTimeout or System.Net.HttpStatusCode.TooManyRequests))
            {
                // Refused for good (the task is gone after an emulator reset, or not this VM's): sending again cannot help.
                logger.LogWarning("Task {TaskId}: the report was refused ({Message}); it is dropped", taskId, e.Message);
            }
            lock (_unacknowledged) _unacknowledged.Remove(taskId);
            TaskFinished?.Invoke(taskId, report);
        }
    }
}
