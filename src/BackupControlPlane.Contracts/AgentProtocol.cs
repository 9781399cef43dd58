using System.Text.Json.Serialization;

namespace BackupControlPlane.Contracts;

/// <summary>Routes of the agent protocol. Agents are not ARM clients: these routes answer ProblemDetails and use the agent credential.</summary>
public static class AgentRoutes
{
    public const string GoalState = "/agent/v1/goalstate";
    public const string Register = "/agent/v1/register";
    public const string ExtensionStatus = "/agent/v1/extensions/{name}/status";
    public const string TaskStatus = "/agent/v1/tasks/{taskId}/status";

    /// <summary>The emulator's stand-in for "the VM booted": lists every VM with the credential of its guest agent. Local callers only.</summary>
    public const string Fleet = "/emulator/agents";

    /// <summary>GET/PUT/DELETE the fault injected into one VM's agent (<c>{vmId}</c> as the fleet route lists it). Local callers only.</summary>
    public const string Fault = "/emulator/agents/{vmId}/fault";

    /// <summary>
    /// Authorization scheme of the agent: <c>Authorization: VmAgent {provisioning secret}</c> on registration only,
    /// <c>Authorization: VmAgent {credential}</c> everywhere else.
    /// </summary>
    public const string Scheme = "VmAgent";
}

/// <summary>
/// What a VM's guest agent must run, shaped after the WALinuxAgent goal state: the incarnation changes whenever anything
/// in it changes, and each extension carries the sequence number of its current settings.
/// </summary>
public sealed record AgentGoalState(long Incarnation, string VmId, IReadOnlyList<ExtensionGoalState> Extensions, AgentFault? Fault = null);

/// <summary>
/// A fault the emulator injects into a VM's agent so users can test their automation's failure handling. Not part of
/// Azure's protocol: set with the agent's <c>--fault</c> flag or at run time through <see cref="AgentRoutes.Fault"/>,
/// which delivers it in the goal state. <c>Serial</c> is set by the control route, so an agent applies a one-shot fault
/// (offline) once per setting.
/// </summary>
public sealed record AgentFault(string Mode, int? Seconds = null, int? Code = null, long? Serial = null)
{

    /// <summary>Takes tasks and never answers: the job fails when the extension timeout passes.</summary>
    public const string Silent = "silent";
    /// <summary>Answers <see cref="Seconds"/> late.</summary>
    public const string Late = "late";
    /// <summary>Fails the snapshot with extension code <see cref="Code"/>.</summary>
    public const string Fail = "fail";
    /// <summary>Crashes after snapshotting, before reporting; the restarted agent answers the redelivered task "already processed".</summary>
    public const string Crash = "crash";
    /// <summary>Loses the network for <see cref="Seconds"/>: no polls, no reports; the VM agent shows Not Ready meanwhile.</summary>
    public const string Offline = "offline";

    // The failures users meet in Azure (docs/application-consistency.md), each ending the job with Azure's code.
    /// <summary>The VM has no network to storage: the extension fails with code 76 (ExtensionSnapshotFailedNoNetwork).</summary>
    public const string NoNetwork = "nonetwork";
    /// <summary>fsfreeze fails on a mount point: the extension fails with code 121 (UserErrorFsFreezeFailed).</summary>
    public const string FsFreeze = "fsfreeze";
    /// <summary>The extension's snapshot calls time out (ExtensionFailedTimeoutVMNetworkUnresponsive).</summary>
    public const string SnapshotTimeout = "snapshot-timeout";
    /// <summary>The VMSnapshot handler fails to install: the extension shows Failed (UserErrorVmProvisioningStateFailed).</summary>
    public const string InstallFailed = "install-failed";
    /// <summary>Windows: the VSS writers are in a bad state; the extension falls back to a file-system-consistent snapshot.</summary>
    public const string Vss = "vss";
    /// <summary>The VM's restore-point collection is full (UserErrorRpCollectionLimitReached); checked by the service.</summary>
    public const string RpLimit = "rp-limit";
    /// <summary>The VM's guest agent is too old to run the extension (UserErrorGuestAgentStatusUnavailable); checked by the service.</summary>
    public const string AgentOutdated = "agent-outdated";

    public static readonly IReadOnlyList<string> Modes = [Silent, Late, Fail, Crash, Offline, NoNetwork, FsFreeze, SnapshotTimeout, InstallFailed, Vss, RpLimit, AgentOutdated];

    /// <summary>Checks the fault as a user would type it; null when valid.</summary>
    public string? Validate() => Mode switch
    {
        Silent or Crash => null,
        NoNetwork or FsFreeze or SnapshotTimeout or InstallFailed or Vss or RpLimit or AgentOutdated when Seconds is not null || Code is not null =>
            $"'{Mode}' takes no seconds or code.",
        NoNetwork or FsFreeze or SnapshotTimeout or InstallFailed or Vss or RpLimit or AgentOutdated => null,
        Late or Offline when Seconds is null or < 0 or > 86_400 => $"'{Mode}' needs seconds between 0 and 86400.",
        Fail when Code is null or < 2 or > 9999 => "'fail' needs the extension's error code (2-9999), e.g. 402 or 10.",
        Late or Offline or Fail => null,
        _ => $"mode must be one of {string.Join(", ", Modes)}.",
    };

    /// <summary>Parses the agent's flag syntax: <c>silent</c>, <c>crash</c>, <c>late:30</c>, <c>offline:60</c>, <c>fail:402</c>.</summary>
    public static AgentFault Parse(string text)
    {
        var parts = text.Split(':', 2);
        var mode = parts[0].Trim().ToLowerInvariant();
        int? number = parts.Length == 2 && int.TryParse(parts[1], out var n) ? n : null;
        if (parts.Length == 2 && number is null) throw new FormatException($"'{parts[1]}' is not a number.");
        var fault = mode == Fail ? new AgentFault(mode, Code: number) : new AgentFault(mode, Seconds: number);
        return fault.Validate() is { } error ? throw new FormatException(error) : fault;
    }

    public override string ToString() => Mode switch
    {
        Late or Offline => $"{Mode}:{Seconds}",
        Fail => $"{Mode}:{Code}",
        _ => Mode,
    };
}

/// <summary>
/// One extension's settings. <see cref="ProtectedSettings"/> is base64 CMS enveloped data (AES-256) encrypted to the
/// certificate the VM's agent registered, named by <see cref="ProtectedSettingsCertThumbprint"/>, as Azure sends it.
/// </summary>
public sealed record ExtensionGoalState(
    string Name,
    string Publisher,
    string Type,
    string TypeHandlerVersion,
    int SequenceNumber,
    SnapshotPublicSettings? PublicSettings,
    string? ProtectedSettings,
    string? ProtectedSettingsCertThumbprint);

/// <summary>One entry of <see cref="AgentRoutes.Fleet"/>: an emulated VM and the provisioning secret its agent registers with.</summary>
public sealed record AgentFleetMember(string VmResourceId, string VmId, string OsType, string ProvisioningSecret);

/// <summary>An agent registers the public part of a certificate it generated itself (base64 DER).</summary>
public sealed record AgentRegistration(string Certificate);

/// <summary>The credential an agent uses for its own VM, bound to the certificate it registered.</summary>
public sealed record AgentCredential(string Credential, DateTimeOffset ExpiresOn, string CertificateThumbprint);

/// <summary>Public settings of a VMSnapshot command, spelled as the extension reads them.</summary>
public sealed record SnapshotPublicSettings(
    [property: JsonPropertyName("locale")] string Locale,
    [property: JsonPropertyName("taskId")] string TaskId,
    [property: JsonPropertyName("commandToExecute")] string CommandToExecute,
    [property: JsonPropertyName("commandStartTimeUTCTicks")] string CommandStartTimeUTCTicks,
    [property: JsonPropertyName("vmType")] string VmType);

/// <summary>Protected settings of a VMSnapshot command: secrets (SAS URIs) meant for the VM's agent alone.</summary>
public sealed record SnapshotProtectedSettings(
    [property: JsonPropertyName("objectStr")] string ObjectStr,
    [property: JsonPropertyName("logsBlobUri")] string LogsBlobUri,
    [property: JsonPropertyName("statusBlobUri")] string StatusBlobUri);

/// <summary>The agent's report on an extension handler (installed and enabled, or failed).</summary>
public sealed record ExtensionHandlerReport(string Status, string HandlerVersion, string? Message = null);

/// <summary>The agent's report on a task: "transitioning", then "success" or "error" with the extension's numeric code.</summary>
public sealed record TaskStatusReport(string Status, int Code, string? Message = null);

public static class TaskStatuses
{
    public const string Transitioning = "transitioning";
    public const string Success = "success";
    public const string Error = "error";
}

/// <summary>Answer to a status report, so a restarted agent knows whether the control plane already has the result.</summary>
public sealed record TaskStatusReceipt(string TaskId, string State);
