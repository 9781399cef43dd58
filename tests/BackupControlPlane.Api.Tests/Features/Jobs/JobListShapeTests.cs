using BackupControlPlane.Api.Tests.Infrastructure;

namespace BackupControlPlane.Api.Tests.Features.Jobs;

/// <summary>
/// The jobs list as Azure answers it (spec examples ListJobs.json vs GetJobDetails.json): list items carry no
/// extendedInfo, so a script must GET the one job for its tasks and property bag, here as on Azure.
/// </summary>
public sealed class JobListShapeTests
{
    [Fact]
    public async Task List_items_have_no_extendedInfo_and_GET_one_job_has_its_tasks_and_property_bag()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = "rg-joblist-" + Guid.NewGuid().ToString("N")[..6];
        await app.Arm.ProtectedVmAsync(rg, "vault1", "vmlist");
        await app.StartAgentAsync("vmlist");
        var jobName = ArmTestClient.BackupJobOf(await app.Arm.RunDueAsync(rg), "vmlist");
        Assert.Equal("Completed", (await app.Arm.WaitForJobAsync(rg, "vault1", jobName))["properties"]!["status"]!.GetValue<string>());

        var list = (await app.Arm.GetAsync(ArmTestClient.VaultPath(rg, "vault1") + "/backupJobs"))["value"]!.AsArray();
        Assert.Contains(list, j => j!["properties"]!["operation"]!.GetValue<string>() == "ConfigureBackup");
        Assert.All(list, j => Assert.Null(j!["properties"]!["extendedInfo"]));
        var listed = list.Single(j => j!["name"]!.GetValue<string>() == jobName)!["properties"]!;
        // Times as Azure writes a job's ("2017-08-03T05:31:07.014604Z", ListJobs.json): UTC with 'Z', not "+00:00".
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?Z$", listed["startTime"]!.GetValue<string>());
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?Z$", listed["endTime"]!.GetValue<string>());
        Assert.Equal("vmlist", listed["entityFriendlyName"]!.GetValue<string>());

        var info = (await app.Arm.GetAsync($"{ArmTestClient.VaultPath(rg, "vault1")}/backupJobs/{jobName}"))["properties"]!["extendedInfo"]!;
        Assert.Equal(["Take Snapshot", "Transfer data to vault"], info["tasksList"]!.AsArray().Select(t => t!["taskId"]!.GetValue<string>()));
        Assert.Equal("vmlist", info["propertyBag"]!["VM Name"]!.GetValue<string>());
        Assert.All(info["tasksList"]!.AsArray(), t => Assert.EndsWith("Z", t!["startTime"]!.GetValue<string>()));
    }
}
