using System.Text.Json;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Contracts;

namespace BackupControlPlane.Api.Features.Backups;

/// <summary>
/// What Azure checks on the VM before it sends the extension a snapshot task, each failing the backup at once with
/// Azure's code: an extension in a failed provisioning state (UserErrorVmProvisioningStateFailed), and the two service-side
/// faults of the fault catalogue, a full restore-point collection (rp-limit) and a guest agent too old to run the
/// extension (agent-outdated). The agent's own presence (Not Ready) is checked by <see cref="BackupStarter"/>.
/// </summary>
public static class BackupPreconditions
{
    /// <summary>The oldest guest agent version the emulator's VMSnapshot handler runs on; an outdated agent reports an older one.</summary>
    public const string OutdatedAgentVersion = "2.2.10";

    /// <returns>Null when the backup may go on; otherwise Azure's error and the message naming what is wrong.</returns>
    public static (BackupErrors.Info Info, string Message)? Check(VirtualMachine vm)
    {
        if (vm.Extensions.FirstOrDefault(e => e.ProvisioningState == "Failed") is { } failed)
            return (ConsistencyErrors.VmProvisioningStateFailed,
                $"{ConsistencyErrors.VmProvisioningStateFailed.Message} (the extension '{failed.Name}' of '{vm.Name}' is in provisioning state Failed{(failed.StatusMessage is { } m ? ": " + m : "")})");
        var fault = vm.AgentFaultJson is null ? null : JsonSerializer.Deserialize<AgentFault>(vm.AgentFaultJson);
        return fault?.Mode switch
        {
            AgentFault.RpLimit => (ConsistencyErrors.RpCollectionLimitReached,
                $"{ConsistencyErrors.RpCollectionLimitReached.Message} (the restore point collection of '{vm.Name}' holds 18 points: injected fault)"),
            AgentFault.AgentOutdated => (BackupErrors.GuestAgentStatusUnavailable,
                $"{BackupErrors.GuestAgentStatusUnavailable.Message} The VM agent of '{vm.Name}' is outdated (version {OutdatedAgentVersion}); update it to the latest version."),
            _ => null,
        };
    }
}
