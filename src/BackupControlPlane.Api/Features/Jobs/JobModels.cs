namespace BackupControlPlane.Api.Features.Jobs;

public sealed record JobResource(string Id, string Name, string Type, JobProperties Properties);

public sealed record JobProperties(
    string JobType, string EntityFriendlyName, string BackupManagementType, string Operation, string Status,
    DateTimeOffset StartTime, DateTimeOffset? EndTime, string Duration, string ActivityId, string VirtualMachineVersion,
    JobExtendedInfo? ExtendedInfo, IReadOnlyList<JobErrorInfo>? ErrorDetails);

public sealed record JobExtendedInfo(IReadOnlyList<JobTask> TasksList, Dictionary<string, string> PropertyBag);

public sealed record JobTask(string TaskId, string Duration, string Status, DateTimeOffset? StartTime, DateTimeOffset? EndTime);

public sealed record JobErrorInfo(int ErrorCode, string ErrorString, string ErrorTitle, IReadOnlyList<string> Recommendations);

/// <summary>An operation's status; <c>Properties</c> is its job (OperationStatusJobExtendedInfo) or its own extended information (a file-recovery session's scripts).</summary>
public sealed record OperationStatusResource(
    string Id, string Name, string Status, DateTimeOffset StartTime, DateTimeOffset? EndTime, OperationError? Error, object? Properties);

public sealed record OperationError(string Code, string Message);

public sealed record OperationStatusProperties(string ObjectType, string? JobId);
