using System.Text.Json;
using System.Text.Json.Nodes;
using BackupControlPlane.Agent;
using BackupControlPlane.Api.Tests.Infrastructure;

namespace BackupControlPlane.Api.Tests.Features.Backups;

/// <summary>
/// Application consistency as a user sees it: the Linux extension's pre/post script framework configured in the agent's
/// configuration folder, Windows VSS falling back after a failure, and the recovery point's type and the job's warning
/// that follow. One VM per scenario, a backup at a time, on the shared app.
/// </summary>
public sealed class ApplicationConsistencyTests
{
    private static string NewRg() => "rg-appc-" + Guid.NewGuid().ToString("N")[..6];

    [Fact]
    public async Task A_Linux_VM_with_pre_and_post_scripts_is_app_consistent_and_a_failing_script_degrades_or_fails_the_backup_as_configured()
    {
        if (OperatingSystem.IsWindows()) return; // the script framework is the Linux extension's
        var app = await EmulatorApp.SharedAsync();
        var rg = NewRg();
        await app.Arm.ProtectedVmAsync(rg, "vault1", "vmappc-linux");
        var config = Directory.CreateTempSubdirectory("bcp-etc-azure-").FullName;
        var order = Path.Combine(config, "order.log");
        var pre = Script(config, "pre.sh", $"echo \"pre $1 $2\" >> {order}");
        var post = Script(config, "post.sh", $"echo \"post $1\" >> {order}");
        var failing = Script(config, "failing.sh", $"echo failing >> {order}; exit 3");
        var slow = Script(config, "slow.sh", "sleep 30");
        await app.StartAgentAsync("vmappc-linux", new VmAgentOptions { Hold = TimeSpan.FromSeconds(5), ConfigDirectory = config });

        // Both scripts succeed: the point is application consistent, and the scripts ran around the snapshot with their parameters.
        WriteConfig(config, new { preScriptLocation = pre, postScriptLocation = post, preScriptParams = new[] { "quiesce", "db1" }, postScriptParams = new[] { "thaw" } });
        var job = await BackupAsync(app, rg, "vmappc-linux");
        Assert.Equal("Completed", Status(job));
        Assert.Null(job["properties"]!["errorDetails"]);
        Assert.Equal("AppConsistent", await NewestPointTypeAsync(app, rg, "vmappc-linux"));
        Assert.Equal(["pre quiesce db1", "post thaw"], File.ReadAllLines(order));

        // The pre-script fails (and its one retry): with continueBackupOnFailure the backup goes on file-system consistent, with Azure's warning.
        File.Delete(order);
        WriteConfig(config, new { preScriptLocation = failing, postScriptLocation = post, preScriptNoOfRetries = 1, continueBackupOnFailure = true });
        job = await BackupAsync(app, rg, "vmappc-linux");
        Assert.Equal("CompletedWithWarnings", Status(job));
        var warning = job["properties"]!["errorDetails"]![0]!;
        Assert.Equal("Pre-ScriptExecutionFailed", warning["errorTitle"]!.GetValue<string>());
        Assert.StartsWith("The prescript returned an error, so backup might not be application-consistent.", warning["errorString"]!.GetValue<string>());
        Assert.Equal("Look at the failure logs for your script to fix the issue.", warning["recommendations"]![0]!.GetValue<string>());
        Assert.Equal("FileSystemConsistent", await NewestPointTypeAsync(app, rg, "vmappc-linux"));
        Assert.Equal(["failing", "failing", "post "], File.ReadAllLines(order)); // two attempts, and the post-script still resumed the application

        // Without continueBackupOnFailure the same failure fails the backup, and no point is made.
        var points = await PointCountAsync(app, rg, "vmappc-linux");
        WriteConfig(config, new { preScriptLocation = failing, postScriptLocation = post, continueBackupOnFailure = false });
        job = await BackupAsync(app, rg, "vmappc-linux");
        Assert.Equal("Failed", Status(job));
        Assert.Equal("Pre-ScriptExecutionFailed", ArmTestClient.ErrorOf(job));
        Assert.Equal(points, await PointCountAsync(app, rg, "vmappc-linux"));

        // A pre-script that outlives timeoutInSeconds is stopped: Azure's timeout code.
        WriteConfig(config, new { preScriptLocation = slow, timeoutInSeconds = 1, ScriptsExecutionPollTimeSeconds = 1, continueBackupOnFailure = false });
        job = await BackupAsync(app, rg, "vmappc-linux");
        Assert.Equal("Pre-ScriptTimeout", ArmTestClient.ErrorOf(job));

        // A configuration others may read is not used (it must be 600): file-system consistent, with Azure's warning for it.
        WriteConfig(config, new { preScriptLocation = pre, postScriptLocation = post });
        File.SetUnixFileMode(Path.Combine(config, ScriptPluginConfig.FileName), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        job = await BackupAsync(app, rg, "vmappc-linux");
        Assert.Equal("CompletedWithWarnings", Status(job));
        Assert.Equal("IncorrectJSONConfigFile", ArmTestClient.ErrorOf(job));
        Assert.Equal("FileSystemConsistent", await NewestPointTypeAsync(app, rg, "vmappc-linux"));
    }

    [Fact]
    public async Task A_Windows_VM_falls_back_to_file_system_consistent_when_VSS_fails_and_for_one_more_backup_then_is_app_consistent_again()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = NewRg();
        await app.Arm.ProtectedVmAsync(rg, "vault1", "vmappc-win", os: "Windows");
        await app.StartAgentAsync("vmappc-win");

        await app.SetFaultAsync("vmappc-win", new { mode = "vss" });
        var job = await BackupAsync(app, rg, "vmappc-win");
        Assert.Equal("CompletedWithWarnings", Status(job));
        Assert.Equal("ExtensionFailedVssWriterInBadState", ArmTestClient.ErrorOf(job));
        Assert.Equal("FileSystemConsistent", await NewestPointTypeAsync(app, rg, "vmappc-win"));

        // The writers are healthy again, but the extension remembers the failure: the next backup skips VSS.
        await app.SetFaultAsync("vmappc-win", null);
        job = await BackupAsync(app, rg, "vmappc-win");
        Assert.Equal("CompletedWithWarnings", Status(job));
        Assert.Contains("VSS was skipped", job["properties"]!["errorDetails"]![0]!["errorString"]!.GetValue<string>());
        Assert.Equal("FileSystemConsistent", await NewestPointTypeAsync(app, rg, "vmappc-win"));

        // VSS is tried again, and works: application consistent (a Windows VM's normal point).
        Assert.Equal("Completed", Status(await BackupAsync(app, rg, "vmappc-win")));
        Assert.Equal("AppConsistent", await NewestPointTypeAsync(app, rg, "vmappc-win"));
    }

    public static string Status(JsonNode job) => job["properties"]!["status"]!.GetValue<string>();

    public static async Task<JsonNode> BackupAsync(EmulatorApp app, string rg, string vm) =>
        await app.Arm.WaitForJobAsync(rg, "vault1", (await app.Arm.BackupNowAsync(rg, "vault1", vm))["name"]!.GetValue<string>());

    private static async Task<JsonArray> PointsAsync(EmulatorApp app, string rg, string vm) =>
        (await app.Arm.GetAsync(ArmTestClient.ItemPath(rg, "vault1", vm) + "/recoveryPoints"))["value"]!.AsArray();

    private static async Task<int> PointCountAsync(EmulatorApp app, string rg, string vm) => (await PointsAsync(app, rg, vm)).Count;

    private static async Task<string> NewestPointTypeAsync(EmulatorApp app, string rg, string vm) =>
        (await PointsAsync(app, rg, vm)).MaxBy(p => p!["properties"]!["recoveryPointTime"]!.GetValue<DateTimeOffset>())!["properties"]!["recoveryPointType"]!.GetValue<string>();

    /// <summary>A shell script private to its owner (700), as the extension requires.</summary>
    private static string Script(string dir, string name, string body)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    /// <summary>VMSnapshotScriptPluginConfig.json with the template's values where the test sets none, owner read/write only (600).</summary>
    private static void WriteConfig(string dir, object settings)
    {
        var config = new JsonObject
        {
            ["pluginName"] = "ScriptRunner", ["preScriptLocation"] = "", ["postScriptLocation"] = "", ["preScriptParams"] = new JsonArray("", ""),
            ["postScriptParams"] = new JsonArray("", ""), ["preScriptNoOfRetries"] = 0, ["postScriptNoOfRetries"] = 0, ["timeoutInSeconds"] = 30,
            ["continueBackupOnFailure"] = true, ["fsFreezeEnabled"] = true,
        };
        foreach (var (key, value) in JsonSerializer.SerializeToNode(settings)!.AsObject()) config[key] = value?.DeepClone();
        var path = Path.Combine(dir, ScriptPluginConfig.FileName);
        File.WriteAllText(path, config.ToJsonString());
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }
}
