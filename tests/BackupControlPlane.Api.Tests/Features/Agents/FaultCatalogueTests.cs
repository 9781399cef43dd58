using BackupControlPlane.Api.Tests.Features.Backups;
using BackupControlPlane.Api.Tests.Infrastructure;

namespace BackupControlPlane.Api.Tests.Features.Agents;

/// <summary>
/// The failures users really hit in Azure, each injected into one VM through the fault route as a user's test would,
/// each ending the backup with Azure's code, message and recommendation; clearing the fault heals the VM.
/// </summary>
public sealed class FaultCatalogueTests
{
    [Fact]
    public async Task Each_fault_of_the_catalogue_fails_the_backup_with_Azures_code_message_and_recommendation()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = "rg-faultcat-" + Guid.NewGuid().ToString("N")[..6];
        await app.Arm.ProtectedVmAsync(rg, "vault1", "vmfaultcat");
        await app.StartAgentAsync("vmfaultcat");
        var extension = ArmTestClient.VmPath(rg, "vmfaultcat") + "/extensions/VMSnapshotLinux";

        (string Fault, string Code, string Message)[] catalogue =
        [
            // First: the VM's first backup installs the VMSnapshot handler, and the install fails.
            ("install-failed", "UserErrorVmProvisioningStateFailed", "The VM is in failed provisioning state"),
            ("nonetwork", "ExtensionSnapshotFailedNoNetwork", "Snapshot operation failed due to no network connectivity on the virtual machine"),
            ("fsfreeze", "UserErrorFsFreezeFailed", "Failed to freeze one or more mount-points of the VM to take a file-system consistent snapshot."),
            ("snapshot-timeout", "ExtensionFailedTimeoutVMNetworkUnresponsive", "Snapshot operation failed due to inadequate VM resources."),
            ("rp-limit", "UserErrorRpCollectionLimitReached", "The Restore Point collection max limit has reached."),
            ("agent-outdated", "UserErrorGuestAgentStatusUnavailable", "VM Agent unable to communicate with Azure Backup."),
        ];
        foreach (var (fault, code, message) in catalogue)
        {
            await app.SetFaultAsync("vmfaultcat", new { mode = fault });
            var job = await ApplicationConsistencyTests.BackupAsync(app, rg, "vmfaultcat");
            Assert.True(ApplicationConsistencyTests.Status(job) == "Failed", $"{fault}: {job}");
            var error = job["properties"]!["errorDetails"]![0]!;
            Assert.Equal(code, error["errorTitle"]!.GetValue<string>());
            Assert.StartsWith(message, error["errorString"]!.GetValue<string>());
            Assert.NotEmpty(error["recommendations"]![0]!.GetValue<string>());
            if (fault == "install-failed")
                Assert.Equal("Failed", (await app.Arm.GetAsync(extension, "2024-11-01"))["properties"]!["provisioningState"]!.GetValue<string>());
            await app.SetFaultAsync("vmfaultcat", null);
            // Cleared, the agent installs the handler again on its next goal state.
            await Poll.Until(async () => (await app.Arm.GetAsync(extension, "2024-11-01"))["properties"]!["provisioningState"]!.GetValue<string>() == "Succeeded",
                "the VMSnapshot extension to be healthy again");
        }

        Assert.Equal("Completed", ApplicationConsistencyTests.Status(await ApplicationConsistencyTests.BackupAsync(app, rg, "vmfaultcat")));
    }
}
