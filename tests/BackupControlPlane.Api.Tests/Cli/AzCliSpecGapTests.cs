using System.Globalization;
using BackupControlPlane.Api.Tests.Infrastructure;
using Xunit.Abstractions;

namespace BackupControlPlane.Api.Tests.Cli;

/// <summary>
/// The az commands whose input the emulator used to accept and drop (issue 16): date ranges, workload types, undelete of
/// an item that is not deleted, and the archive tier's recommendation, empty for a new daily point. Shares the az fixture.
/// </summary>
[Collection(AzCliCollection.Name)]
public sealed class AzCliSpecGapTests(AzCliFixture fx, ITestOutputHelper output)
{
    private const string Vault = "vault1";
    private const string Vm = "vm1";

    [Fact]
    public async Task Recovery_points_honour_the_date_range_and_the_archive_recommendation_and_undelete_is_refused()
    {
        var s = new AzCliScenario(fx, output, "rp-dates");
        await fx.Arm.ProtectedVmAsync(s.Rg, Vault, Vm);
        var runDue = await fx.Arm.RunDueAsync(s.Rg);
        Assert.Equal("Completed", (await fx.Arm.WaitForJobAsync(s.Rg, Vault, ArmTestClient.BackupJobOf(runDue, Vm)))["properties"]!["status"]!.GetValue<string>());
        string[] list = ["backup", "recoverypoint", "list", "-g", s.Rg, "-v", Vault, "-c", Vm, "-i", Vm, "--backup-management-type", "AzureIaasVM", "-o", "json"];
        static string Day(int offset) => DateTime.UtcNow.AddDays(offset).ToString("dd-MM-yyyy", CultureInfo.InvariantCulture); // the CLI's date format

        Assert.Single((await s.Az([.. list, "--start-date", Day(-1), "--end-date", Day(1)])).Json().AsArray());
        Assert.Empty((await s.Az([.. list, "--start-date", Day(1), "--end-date", Day(5)])).Json().AsArray());

        // A new daily point is not recommended for the archive tier (docs/archive-tier.md).
        Assert.Empty((await s.Az([.. list, "--recommended-for-archive"])).Json().AsArray());

        // The container the CLI shows by the VM's name.
        var container = (await s.Az("backup", "container", "show", "-g", s.Rg, "-v", Vault, "-n", Vm, "--backup-management-type", "AzureIaasVM", "-o", "json")).Json();
        Assert.Equal($"IaasVMContainer;iaasvmcontainerv2;{s.Rg};{Vm}", container["name"]!.GetValue<string>());

        var undelete = await s.Az("backup", "protection", "undelete", "-g", s.Rg, "-v", Vault, "-c", Vm, "-i", Vm, "--backup-management-type", "AzureIaasVM", "-o", "json");
        Assert.False(undelete.Succeeded);
        Assert.Contains("is not soft-deleted", undelete.StdErr);
        var item = (await s.Az("backup", "item", "show", "-g", s.Rg, "-v", Vault, "-c", Vm, "-n", Vm, "--backup-management-type", "AzureIaasVM", "-o", "json")).Json();
        Assert.Equal("Protected", item["properties"]!["protectionState"]!.GetValue<string>());
    }

    [Fact]
    public async Task Protectable_items_of_a_SQL_workload_are_none_though_a_VM_is_unprotected()
    {
        var s = new AzCliScenario(fx, output, "protectable");
        await fx.Arm.PutVaultAsync(s.Rg, Vault);
        await fx.Arm.PutVmAsync(s.Rg, "vm-unprotected");
        Assert.Empty((await s.Az("backup", "protectable-item", "list", "-g", s.Rg, "-v", Vault, "--workload-type", "MSSQL", "-o", "json")).Json().AsArray());
    }
}
