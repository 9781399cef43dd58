using BackupControlPlane.Contracts;

namespace BackupControlPlane.Agent;

/// <summary>
/// The injected faults that make the extension fail a snapshot task before it snapshots anything, with the code the
/// extension reports for that failure. Faults that shape the snapshot instead (fsfreeze, vss) live with the
/// consistency models; those the service answers itself (rp-limit, agent-outdated) never reach the agent.
/// </summary>
public static class InjectedFailures
{
    /// <summary>The failure the fault injects into a snapshot task, or null when it injects none.</summary>
    public static TaskStatusReport? ForTask(AgentFault? fault) => fault switch
    {
        { Mode: AgentFault.Fail, Code: { } code } => Error(code, $"Snapshot failed with extension code {code} (injected fault)."),
        { Mode: AgentFault.NoNetwork } => Error(VmSnapshotExtension.Codes.SnapshotFailedNoNetwork,
            "Snapshot failed: storage is unreachable from the VM, no network (injected fault)."),
        { Mode: AgentFault.SnapshotTimeout } => Error(VmSnapshotExtension.Codes.SnapshotTimeout,
            "Snapshot calls to storage timed out: the VM is short of resources (injected fault)."),
        { Mode: AgentFault.InstallFailed } => Error(VmSnapshotExtension.Codes.HandlerInstallFailed,
            "The VMSnapshot handler failed to install, so the snapshot command never ran (injected fault)."),
        _ => null,
    };

    /// <summary>
    /// The handler's report on installing an extension: Ready, or, with the install-failed fault, the error that puts
    /// the extension (and so the VM) in a failed provisioning state.
    /// </summary>
    public static ExtensionHandlerReport HandlerReport(ExtensionGoalState ext, AgentFault? fault) => fault?.Mode == AgentFault.InstallFailed
        ? new ExtensionHandlerReport("Error", ext.TypeHandlerVersion + ".0.0", $"Enable failed: the {ext.Type} handler could not be installed (injected fault).")
        : new ExtensionHandlerReport("Ready", ext.TypeHandlerVersion + ".0.0");

    private static TaskStatusReport Error(int code, string message) => new(TaskStatuses.Error, code, message);
}
