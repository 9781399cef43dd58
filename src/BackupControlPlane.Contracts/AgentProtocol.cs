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
public sealed record AgentGoalState(long Incarnation, string VmId, IReadOnlyList<ExtensionGoalState> Extensions);

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
