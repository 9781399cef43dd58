using System.Text.Json;
using System.Text.Json.Serialization;
using BackupControlPlane.Contracts;

namespace BackupControlPlane.Agent;

/// <summary>
/// <c>VMSnapshotScriptPluginConfig.json</c>, the Linux extension's pre/post script configuration, with the fields the
/// real extension reads (VMBackup <c>main/tempPlugin/VMSnapshotScriptPluginConfig.json</c> and Learn's
/// "application-consistent backup of Azure Linux VMs"). Read from the agent's configuration folder (on Azure, /etc/azure).
/// </summary>
public sealed record ScriptPluginConfig
{
    public const string FileName = "VMSnapshotScriptPluginConfig.json";
    /// <summary>The largest per-script timeout the extension accepts.</summary>
    public const int MaxTimeoutSeconds = 1800;

    [JsonPropertyName("pluginName")] public string PluginName { get; init; } = "ScriptRunner";
    [JsonPropertyName("preScriptLocation")] public string? PreScriptLocation { get; init; }
    [JsonPropertyName("postScriptLocation")] public string? PostScriptLocation { get; init; }
    [JsonPropertyName("preScriptParams")] public IReadOnlyList<string> PreScriptParams { get; init; } = [];
    [JsonPropertyName("postScriptParams")] public IReadOnlyList<string> PostScriptParams { get; init; } = [];
    [JsonPropertyName("preScriptNoOfRetries")] public int PreScriptNoOfRetries { get; init; }
    [JsonPropertyName("postScriptNoOfRetries")] public int PostScriptNoOfRetries { get; init; }
    /// <summary>Each script's budget, all its retries included (30 s in the template).</summary>
    [JsonPropertyName("timeoutInSeconds")] public int TimeoutInSeconds { get; init; } = 30;
    /// <summary>On a script failure: true goes on with a file-system-consistent snapshot, false fails the backup.</summary>
    [JsonPropertyName("continueBackupOnFailure")] public bool ContinueBackupOnFailure { get; init; } = true;
    /// <summary>Whether the file systems are frozen during the snapshot; without it a script failure leaves no consistent fallback.</summary>
    [JsonPropertyName("fsFreezeEnabled")] public bool FsFreezeEnabled { get; init; } = true;
    /// <summary>How often the extension checks on a running script (1–5 s; 3 s by default): the timeout is noticed on a poll.</summary>
    [JsonPropertyName("ScriptsExecutionPollTimeSeconds")] public int ScriptsExecutionPollTimeSeconds { get; init; } = 3;

    /// <summary>A configuration that could not be used, with the extension's code; the snapshot goes on file-system consistent.</summary>
    public sealed record Problem(int Code, string Message);

    /// <summary>
    /// The configuration in <paramref name="directory"/>: null when there is none (no folder, or no file: an ordinary
    /// file-system-consistent backup); a <see cref="Problem"/> when it is unreadable, invalid or not private to its owner.
    /// </summary>
    public static (ScriptPluginConfig? Config, Problem? Problem) Load(string? directory)
    {
        if (directory is null) return (null, null);
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path)) return (null, null);
        // The extension refuses a config that others may read or write, or that anyone may execute (it must be 600).
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & ~(UnixFileMode.UserRead | UnixFileMode.UserWrite)) != 0)
            return (null, new(VmSnapshotExtension.Codes.PluginConfigPermissionError,
                $"{FileName} must have permissions 600 (owner read/write only), not {Octal(File.GetUnixFileMode(path))}."));
        ScriptPluginConfig? config;
        try
        {
            config = JsonSerializer.Deserialize<ScriptPluginConfig>(File.ReadAllBytes(path));
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            return (null, new(VmSnapshotExtension.Codes.PluginConfigParsing, $"{FileName} could not be read: {e.Message}"));
        }
        var invalid = config switch
        {
            null => "it is empty",
            { PluginName: not "ScriptRunner" } => $"pluginName must be 'ScriptRunner', not '{config.PluginName}'",
            { TimeoutInSeconds: < 1 or > MaxTimeoutSeconds } => $"timeoutInSeconds must be 1-{MaxTimeoutSeconds}, not {config.TimeoutInSeconds}",
            { ScriptsExecutionPollTimeSeconds: < 1 or > 5 } => $"ScriptsExecutionPollTimeSeconds must be 1-5, not {config.ScriptsExecutionPollTimeSeconds}",
            { PreScriptNoOfRetries: < 0 } or { PostScriptNoOfRetries: < 0 } => "the numbers of retries must not be negative",
            { PreScriptLocation: null or "" } and { PostScriptLocation: null or "" } => "it names neither a pre-script nor a post-script",
            _ => null,
        };
        return invalid is null ? (config, null) : (null, new(VmSnapshotExtension.Codes.PluginConfigParsing, $"{FileName} is incorrect: {invalid}."));
    }

    /// <summary>A Unix mode as <c>chmod</c> spells it, e.g. 644.</summary>
    public static string Octal(UnixFileMode mode) => Convert.ToString((int)mode & 0x1FF, 8);
}
