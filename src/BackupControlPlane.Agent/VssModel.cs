using BackupControlPlane.Contracts;

namespace BackupControlPlane.Agent;

/// <summary>
/// What the Windows extension remembers between backups about VSS, as it keeps it in the registry
/// (<c>HKLM\SOFTWARE\Microsoft\BcdrAgentPersistentKeys</c>): after a VSS failure the next backup does not try VSS
/// again. Lives as long as the agent; one per VM.
/// </summary>
public sealed class VssState
{
    private int _skipNext;

    /// <summary>Whether the next backup skips VSS; reading it consumes the flag, as one skipped backup clears it.</summary>
    public bool TakeSkip() => Interlocked.Exchange(ref _skipNext, 0) == 1;

    public void FailedNow() => Volatile.Write(ref _skipNext, 1);
}

/// <summary>
/// The Windows extension's VSS: an application-consistent snapshot normally (VSS full backup). When VSS fails (the
/// <see cref="AgentFault.Vss"/> fault: writers in a bad state) the extension takes a file-system-consistent snapshot
/// instead, with a warning, and the backup after that skips VSS (file-system consistent again, with a warning); the
/// one after tries VSS again and is application consistent once the writers are healthy.
/// </summary>
public sealed class VssConsistency(VssState state, AgentFault? fault, Action<string> log) : SnapshotConsistency(log)
{
    public const string WriterFailure = "Snapshot operation failed because VSS writers were in a bad state.";

    public override Task<TaskStatusReport?> BeforeAsync(CancellationToken ct)
    {
        if (state.TakeSkip())
            Degrade(VmSnapshotExtension.Codes.VssWriterInBadState, "VSS was skipped: the previous backup's VSS snapshot failed. " + WriterFailure);
        else if (fault?.Mode == AgentFault.Vss)
        {
            state.FailedNow();
            Degrade(VmSnapshotExtension.Codes.VssWriterInBadState, WriterFailure + " (injected fault)");
        }
        else
        {
            Level = SnapshotMessage.ConsistencyApplication;
            Log("VSS full backup: writers frozen for the snapshot");
        }
        return Task.FromResult<TaskStatusReport?>(null);
    }
}
