using BackupControlPlane.Contracts;

namespace BackupControlPlane.Agent;

/// <summary>
/// How the extension makes one snapshot consistent, around the disk snapshots: the Linux pre/post script framework
/// (<see cref="ScriptPluginConsistency"/>) or Windows VSS (<see cref="VssConsistency"/>). It ends with the consistency the
/// extension reports in its status blob and the warnings of whatever degraded it.
/// </summary>
public abstract class SnapshotConsistency(Action<string> log)
{
    /// <summary>The level reported in the status blob's message (<see cref="SnapshotMessage"/> constants).</summary>
    public int Level { get; protected set; } = SnapshotMessage.ConsistencyFileSystem;

    /// <summary>What degraded the consistency, as "warning" substatuses of the status blob.</summary>
    public List<SnapshotSubstatus> Warnings { get; } = [];

    /// <summary>The extension's success code for the level: 0 application consistent, 1 file-system consistent.</summary>
    public int SuccessCode => Level == SnapshotMessage.ConsistencyApplication
        ? VmSnapshotExtension.Codes.SuccessAppConsistent : VmSnapshotExtension.Codes.SuccessFileSystemConsistent;

    /// <summary>Before the snapshots: null to take them; otherwise the failure to report, with nothing snapshotted.</summary>
    public abstract Task<TaskStatusReport?> BeforeAsync(CancellationToken ct);

    /// <summary>After successful snapshots: null when they stand; otherwise the failure to report (the service deletes them).</summary>
    public virtual Task<TaskStatusReport?> AfterAsync(CancellationToken ct) => Task.FromResult<TaskStatusReport?>(null);

    protected void Log(string line) => log(line);

    /// <summary>The snapshot is file-system consistent at best now, and says why.</summary>
    protected void Degrade(int code, string message)
    {
        Level = Math.Min(Level, SnapshotMessage.ConsistencyFileSystem);
        Warnings.Add(SnapshotSubstatus.Warning(code, message));
        log($"warning {code}: {message}; the snapshot is file-system consistent");
    }

    protected static TaskStatusReport Failure(int code, string message) => new(TaskStatuses.Error, code, message);

    /// <summary>The extension the goal state names decides: VMSnapshot (Windows) uses VSS, VMSnapshotLinux the script framework.</summary>
    public static SnapshotConsistency For(string extensionType, AgentFault? fault, VmAgentOptions options, VssState vss, Action<string> log) =>
        extensionType == VmSnapshotExtension.WindowsType
            ? new VssConsistency(vss, fault, log)
            : new ScriptPluginConsistency(options.ConfigDirectory, fault, options.Time, log);
}

/// <summary>
/// The Linux extension: with a <see cref="ScriptPluginConfig"/> it runs the pre-script, freezes the file systems, lets
/// the snapshots be taken, thaws and runs the post-script. Both scripts succeeding makes the point application
/// consistent; a script failing degrades it to file-system consistent with a warning when <c>continueBackupOnFailure</c>
/// is true (and fsfreeze is on), and fails the backup with the script's code otherwise. Without a configuration the
/// snapshot is file-system consistent, as on any Linux VM; an unusable configuration adds a warning.
/// </summary>
public sealed class ScriptPluginConsistency(string? configDirectory, AgentFault? fault, TimeProvider time, Action<string> log) : SnapshotConsistency(log)
{
    private ScriptPluginConfig? _config;
    private bool _preFailed;

    public override async Task<TaskStatusReport?> BeforeAsync(CancellationToken ct)
    {
        var (config, problem) = ScriptPluginConfig.Load(configDirectory);
        if (problem is not null) Degrade(problem.Code, problem.Message);
        _config = config;
        if (config is not null)
        {
            var pre = await new ScriptRunner(time, Log).RunAsync(ScriptRunner.Phase.Pre, config.PreScriptLocation, config.PreScriptParams,
                config.PreScriptNoOfRetries, config, ct);
            Log(pre.Message);
            if (!pre.Succeeded)
            {
                _preFailed = true;
                // No consistent fallback: without continueBackupOnFailure, or without fsfreeze to make it file-system consistent.
                if (!config.ContinueBackupOnFailure || !config.FsFreezeEnabled) return Failure(pre.Code!.Value, pre.Message);
                Degrade(pre.Code!.Value, pre.Message);
            }
        }
        if (config?.FsFreezeEnabled ?? true)
        {
            if (fault?.Mode == AgentFault.FsFreeze)
            {
                await AfterAsync(ct); // the application the pre-script quiesced is resumed all the same
                return Failure(VmSnapshotExtension.Codes.FsFreezeFailed, "Failed to freeze one or more mount points (injected fault).");
            }
            Log("file systems frozen for the snapshot");
        }
        Level = config is not null && !_preFailed ? SnapshotMessage.ConsistencyApplication : Level;
        return null;
    }

    public override async Task<TaskStatusReport?> AfterAsync(CancellationToken ct)
    {
        if (_config is not { } config) return null;
        if (config.FsFreezeEnabled) Log("file systems thawed");
        var post = await new ScriptRunner(time, Log).RunAsync(ScriptRunner.Phase.Post, config.PostScriptLocation, config.PostScriptParams,
            config.PostScriptNoOfRetries, config, ct);
        Log(post.Message);
        if (post.Succeeded) return null;
        if (!config.ContinueBackupOnFailure) return Failure(post.Code!.Value, post.Message);
        Degrade(post.Code!.Value, post.Message);
        return null;
    }
}
