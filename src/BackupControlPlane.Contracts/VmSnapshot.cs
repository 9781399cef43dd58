using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace BackupControlPlane.Contracts;

/// <summary>Facts about the VMSnapshot extension that both sides must agree on.</summary>
public static class VmSnapshotExtension
{
    public const string Publisher = "Microsoft.Azure.RecoveryServices";
    public const string WindowsType = "VMSnapshot";
    public const string LinuxType = "VMSnapshotLinux";
    public const string WindowsHandlerVersion = "1.9";
    public const string LinuxHandlerVersion = "1.0";
    public const string SnapshotCommand = "snapshot";
    public const string VmType = "microsoft.compute/virtualmachines";

    /// <summary>
    /// The extension tags each disk snapshot with its task (metadata <c>taskId</c>, dashes removed: metadata values are
    /// kept plain), so the control plane can find the snapshots of a task that ended without a recovery point.
    /// </summary>
    public const string SnapshotTagKey = "taskId";

    public static string SnapshotTag(string taskId) => taskId.Replace("-", "");

    /// <summary>
    /// Numeric codes of the extension's status (VMBackup <c>main/common.py</c>, <c>ExtensionErrorCodeHelper.py</c>). The
    /// 9000s are the emulator's own, for behaviours of the Windows extension and the guest agent whose numbers are not public.
    /// </summary>
    public static class Codes
    {
        public const int SuccessAppConsistent = 0;
        public const int SuccessFileSystemConsistent = 1;
        public const int Error = 2;
        public const int SuccessAlreadyProcessedInput = 3;
        public const int Transitioning = 4;
        public const int ErrorParameter = 11;
        public const int HttpFailure = 15;
        public const int SnapshotFailedNoNetwork = 76;
        public const int SnapshotLimitReached = 85;
        public const int FsFreezeFailed = 121;
        public const int FsFreezeTimeout = 122;
        public const int PreScriptFailed = 300;
        public const int PostScriptFailed = 301;
        public const int PreScriptNotFound = 302;
        public const int PostScriptNotFound = 303;
        public const int PluginConfigParsing = 305;
        public const int PreScriptPermissionError = 306;
        public const int PostScriptPermissionError = 307;
        public const int PreScriptTimeout = 308;
        public const int PostScriptTimeout = 309;
        public const int PluginConfigPermissionError = 317;
        /// <summary>Emulator's own: VSS failed (or was skipped after a failure); the snapshot is file-system consistent.</summary>
        public const int VssWriterInBadState = 9001;
        /// <summary>Emulator's own: the extension's snapshot calls timed out.</summary>
        public const int SnapshotTimeout = 9002;
        /// <summary>Emulator's own: the handler failed to install, so the command never ran.</summary>
        public const int HandlerInstallFailed = 9003;
    }

    public static (string Type, string HandlerVersion) ForOs(string osType) =>
        string.Equals(osType, "Linux", StringComparison.OrdinalIgnoreCase)
            ? (LinuxType, LinuxHandlerVersion)
            : (WindowsType, WindowsHandlerVersion);
}

/// <summary>The <c>objectStr</c> protected setting: base64 of <c>{"blobSASUri":[...]}</c>, one SAS URI per disk blob.</summary>
public static class ObjectStr
{
    private sealed record Payload([property: JsonPropertyName("blobSASUri")] IReadOnlyList<string> BlobSasUri);

    public static string Encode(IEnumerable<string> blobSasUris) =>
        Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(new Payload(blobSasUris.ToList())));

    /// <summary>Decodes as the Linux extension does: single quotes and whitespace around the value are ignored.</summary>
    public static IReadOnlyList<string> Decode(string objectStr)
    {
        var trimmed = objectStr.Trim().Trim('\'').Trim();
        var payload = JsonSerializer.Deserialize<Payload>(Convert.FromBase64String(trimmed))
            ?? throw new FormatException("objectStr holds no blobSASUri list.");
        return payload.BlobSasUri ?? throw new FormatException("objectStr holds no blobSASUri list.");
    }
}

/// <summary>.NET ticks (100 ns since 0001-01-01 UTC), the unit of <c>commandStartTimeUTCTicks</c>.</summary>
public static class DotNetTicks
{
    public static string From(DateTimeOffset time) => time.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static DateTimeOffset Parse(string ticks) =>
        new(long.Parse(ticks, System.Globalization.CultureInfo.InvariantCulture), TimeSpan.Zero);
}

/// <summary>
/// The document the extension writes to <c>statusBlobUri</c>: a JSON array with one element, as VMBackup's
/// <c>Utils/Status.py</c> writes it.
/// </summary>
public static class SnapshotStatusDocument
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static byte[] Serialize(SnapshotStatusEntry entry) => JsonSerializer.SerializeToUtf8Bytes(new[] { entry }, Json);

    public static SnapshotStatusEntry Parse(ReadOnlySpan<byte> utf8)
    {
        var entries = JsonSerializer.Deserialize<SnapshotStatusEntry[]>(utf8, Json);
        if (entries is not { Length: 1 } || entries[0].Status is null)
            throw new FormatException("The status blob must hold a JSON array with exactly one status entry.");
        return entries[0];
    }

    public static string TimestampUtc(DateTimeOffset time) => $"/Date({time.ToUnixTimeMilliseconds()})/";
}

public sealed record SnapshotStatusEntry(string Version, string TimestampUTC, SnapshotStatus Status);

public sealed record SnapshotStatus(
    string Name,
    string Operation,
    string Status,
    string Code,
    FormattedMessage FormattedMessage,
    IReadOnlyList<SnapshotSubstatus> Substatus,
    string TaskId,
    string CommandStartTimeUTCTicks,
    string UniqueMachineId,
    IReadOnlyList<SnapshotInfo> SnapshotInfo);

public sealed record FormattedMessage(string Lang, string Message);

/// <summary>
/// A substatus of the extension's status: the emulator's agent writes one with status "warning" for each thing that
/// degraded the snapshot's consistency (a failed pre-script the backup continued past, a VSS failure), with its code.
/// </summary>
public sealed record SnapshotSubstatus(string Name, string Status, string Code, FormattedMessage FormattedMessage)
{
    public const string WarningStatus = "warning";

    public static SnapshotSubstatus Warning(int code, string message) => new("Warning", WarningStatus, code.ToString(System.Globalization.CultureInfo.InvariantCulture), new FormattedMessage("en-US", message));
}

public sealed record SnapshotInfo(bool IsSuccessful, string? SnapshotUri, string ErrorMessage, string BlobUri);

/// <summary>The JSON carried, as a string, in <c>formattedMessage.message</c>.</summary>
public sealed record SnapshotMessage(string MessageStr, int SnapshotConsistency, string JobMessage, bool IsSizeComputationFailed)
{
    public const int ConsistencyNone = 0;
    public const int ConsistencyFileSystem = 1;
    public const int ConsistencyApplication = 2;
    public const int ConsistencyCrash = 3;
}
