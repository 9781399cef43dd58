using BackupControlPlane.Api.Tests.Infrastructure;
using Xunit.Abstractions;

namespace BackupControlPlane.Api.Tests.Oracle;

/// <summary>
/// xunit runs collections that disable parallelization after all the parallel ones, so a test in this collection
/// sees the traffic of the whole run. Keep it the only such collection, or the order between them is open.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AfterTheParallelTests
{
    public const string Name = "Oracle: after the parallel tests";
}

[Collection(AfterTheParallelTests.Name)]
public sealed class SuiteTrafficConformanceTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Every_ARM_answer_the_test_run_received_conforms_to_Azure_spec()
    {
        // The subscription's vault list carries every vault of the run; it also makes this test judge something when run alone.
        var app = await EmulatorApp.SharedAsync();
        await app.Arm.PutVaultAsync("rg-oracle-suite-" + Guid.NewGuid().ToString("N")[..6], "vault-suite");
        await app.Arm.GetAsync($"/subscriptions/{ArmTestClient.Sub}/providers/Microsoft.RecoveryServices/vaults");

        var report = new OracleReport(ArmTrafficRecorder.All, SpecValidator.Azure);
        report.WriteTo(output.WriteLine);
        Assert.Contains("Vaults_ListBySubscriptionId", report.Operations);
        Assert.True(report.Violations.Count == 0, "ARM answers of this test run break Azure's spec:\n" + string.Join("\n", report.Violations));
    }
}
