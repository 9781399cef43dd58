namespace BackupControlPlane.Api.Features.FileRecovery;

/// <summary>The body of POST RP/provisionInstantItemRecovery: an ILRRequestResource (bms.json).</summary>
public sealed record IlrRequest(IlrRegistrationRequest? Properties);

/// <summary>
/// IaasVMILRRegistrationRequest. <c>virtualMachineId</c> names the backed-up VM; <c>initiatorName</c> (Azure: the iSCSI
/// initiator) is shown in the session's descriptor; <c>renewExistingRegistration</c> true extends an open session
/// (same password and folder) instead of replacing it. The az CLI sends neither of the last two.
/// </summary>
public sealed record IlrRegistrationRequest(
    string? ObjectType, string? RecoveryPointId, string? VirtualMachineId, string? InitiatorName, bool? RenewExistingRegistration);

/// <summary>ClientScriptForConnect: a script (base64 <c>scriptContent</c>) or a download (<c>url</c>) and its file name's suffix.</summary>
public sealed record ClientScript(string ScriptContent, string ScriptExtension, string OsType, string? Url, string ScriptNameSuffix);

/// <summary>One disk of the session: its LUN (-1 for the OS disk), file name, and read-only SAS URI.</summary>
public sealed record SessionDisk(int Lun, string File, Uri Url);

/// <summary>What the scripts are made of: the point, the VM, the password, when the links stop working, and the disks.</summary>
public sealed record SessionScriptInput(
    string VmName, string OsType, string RecoveryPointName, DateTimeOffset RecoveryPointTime, string Password, DateTimeOffset Expiry,
    string? InitiatorName, IReadOnlyList<SessionDisk> Disks);
