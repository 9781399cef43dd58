using BackupControlPlane.Api.Tests.Infrastructure;
using Xunit.Abstractions;

namespace BackupControlPlane.Api.Tests.Cli;

/// <summary>
/// Application consistency as az shows it (issue 20): the service's demo fleet reads the VM's
/// VMSnapshotScriptPluginConfig.json from the data folder's vm-config/RG/VM; a pre-script that fails, with
/// continueBackupOnFailure, gives a job CompletedWithWarnings and a FileSystemConsistent recovery point.
/// </summary>
[Collection(AzCliCollection.Name)]
public sealed class AzConsistencyTests(AzCliFixture fx, ITestOutputHelper output)
{
    private const string Vault = "vault1";
    private const string Vm = "vmappc";

    [Fact]
    public async Task A_failing_pre_script_shows_in_az_as_a_job_completed_with_warnings_and_a_file_system_consistent_point()
    {
        if (OperatingSystem.IsWindows()) return; // the script framework is the Linux extension's
        var s = new AzCliScenario(fx, output, "appconsistent");
        await fx.Arm.PutVaultAsync(s.Rg, Vault);
        await fx.Arm.PutVmAsync(s.Rg, Vm);
        (await fx.Arm.EnableProtectionAsync(s.Rg, Vault, Vm)).Dispose();
        var config = Directory.CreateDirectory(Path.Combine(fx.Emulator.DataDirectory, "vm-config", s.Rg, Vm)).FullName;
        var script = Path.Combine(config, "quiesce.sh");
        File.WriteAllText(script, "#!/bin/sh\necho cannot quiesce >&2\nexit 1\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var file = Path.Combine(config, "VMSnapshotScriptPluginConfig.json");
        File.WriteAllText(file, $$"""{"pluginName":"ScriptRunner","preScriptLocation":"{{script}}","postScriptLocation":"","preScriptParams":[],"postScriptParams":[],"preScriptNoOfRetries":0,"postScriptNoOfRetries":0,"timeoutInSeconds":30,"continueBackupOnFailure":true,"fsFreezeEnabled":true}""");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var job = (await fx.Arm.WaitForJobAsync(s.Rg, Vault, (await fx.Arm.BackupNowAsync(s.Rg, Vault, Vm))["name"]!.GetValue<string>()))["name"]!.GetValue<string>();

        var shown = (await s.Az("backup", "job", "show", "-g", s.Rg, "-v", Vault, "-n", job, "-o", "json")).Json()["properties"]!;
        Assert.Equal("CompletedWithWarnings", shown["status"]!.GetValue<string>());
        Assert.Equal("Pre-ScriptExecutionFailed", shown["errorDetails"]![0]!["errorTitle"]!.GetValue<string>());
        var point = Assert.Single((await s.Az("backup", "recoverypoint", "list", "-g", s.Rg, "-v", Vault, "-c", Vm, "-i", Vm,
            "--backup-management-type", "AzureIaasVM", "-o", "json")).Json().AsArray())!;
        Assert.Equal("FileSystemConsistent", point["properties"]!["recoveryPointType"]!.GetValue<string>());
    }
}
