namespace BackupControlPlane.Api.Features.Jobs;

public sealed record JobResource(string Id, string Name, string Type, JobProperties Properties);

/// <summary>
/// Times are UTC <see cref="DateTime"/>s: written as Azure writes a job's, "2017-08-03T05:31:07.014604Z" (ListJobs.json,
/// GetJobDetails.json), not with "+00:00": 10 bytes more per finished job in a list.
/// </summary>
public sealed record JobProperties(
    string JobType, string EntityFriendlyName, string BackupManagementType, string Operation, string Status,
    DateTime StartTime, DateTime? EndTime, string Duration, string ActivityId, string VirtualMachineVersion,
    JobExtendedInfo? ExtendedInfo, IReadOnlyList<JobErrorInfo>? ErrorDetails);

public sealed record JobExtendedInfo(IReadOnlyList<JobTask> TasksList, Dictionary<string, string> PropertyBag);

public sealed record JobTask(string TaskId, string Duration, string Status, DateTime? StartTime, DateTime? EndTime);

public sealed record JobErrorInfo(int ErrorCode, string ErrorString, string ErrorTitle, IReadOnlyList<string> Recommendations);

/// <summary>An operation's status; <c>Properties</c> is its job (OperationStatusJobExtendedInfo) or its own extended information (a file-recovery session's scripts).</summary>
public sealed record OperationStatusResource(
    string Id, string Name, string Status, DateTimeOffset StartTime, DateTimeOffset? EndTime, OperationError? Error, object? Properties);

public sealed record OperationError(string Code, string Message);

public sealed record OperationStatusProperties(string ObjectType, string? JobId);
