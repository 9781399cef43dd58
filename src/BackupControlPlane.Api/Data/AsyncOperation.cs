namespace BackupControlPlane.Api.Data;

public static class OperationStatuses
{
    public const string InProgress = "InProgress";
    public const string Succeeded = "Succeeded";
    public const string Failed = "Failed";
}

/// <summary>An ARM long-running operation, answered at every async URL the service hands out.</summary>
public sealed class AsyncOperation
{
    public Guid Id { get; set; }
    public long VaultId { get; set; }
    public Guid? JobId { get; set; }
    public required string Status { get; set; }
    public DateTimeOffset StartTime { get; set; }
    public DateTimeOffset? EndTime { get; set; }
    public string? ErrorCode { get; set; }
    public string? ErrorMessage { get; set; }
    /// <summary>The operation's extended information (<c>properties</c>) when it is not a job's, as JSON: a file-recovery session's client scripts.</summary>
    public string? PropertiesJson { get; set; }

    /// <summary>
    /// An operation already finished when the client first polls it: the emulator does the synchronous part of a
    /// long-running call at once, so no client sleeps on its poll interval for nothing.
    /// </summary>
    public static AsyncOperation Succeeded(long vaultId, Guid? jobId, DateTimeOffset now) => new()
    {
        Id = Guid.NewGuid(), VaultId = vaultId, JobId = jobId, Status = OperationStatuses.Succeeded, StartTime = now, EndTime = now,
    };
}
