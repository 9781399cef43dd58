using BackupControlPlane.Api.Tests.Infrastructure;
using Xunit.Abstractions;

namespace BackupControlPlane.Api.Tests.Oracle;

/// <summary>
/// xunit runs collections that disable parallelization after all the parallel ones, so a test in this collection
/// sees the traffic of the parallel part of the run (the order among such collections — az CLI, the heavy fleet test,
/// this one — is open; traffic recorded after this test runs is simply not judged).
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

    [Fact]
    public async Task No_SAS_signature_appears_in_any_ARM_answer_or_log_line_of_the_run()
    {
        // Make sure this test judges something when run alone: one full backup, with SAS URIs handed to an agent.
        var app = await EmulatorApp.SharedAsync();
        var rg = "rg-secrets-" + Guid.NewGuid().ToString("N")[..6];
        await app.Arm.ProtectedVmAsync(rg, "vault1", "vmsecret");
        await app.StartAgentAsync("vmsecret");
        var due = await app.Arm.RunDueAsync(rg);
        await app.Arm.WaitForJobAsync(rg, "vault1", ArmTestClient.BackupJobOf(due, "vmsecret"));

        var answers = ArmTrafficRecorder.All;
        var logs = CapturedLogs.All;
        Assert.NotEmpty(answers);
        Assert.NotEmpty(logs);
        output.WriteLine($"Scanned {answers.Count} ARM answers and {logs.Count} log lines.");
        Assert.Empty(answers.Where(a => a.Body.Contains("sig=", StringComparison.OrdinalIgnoreCase)).Select(a => a.PathAndQuery));
        Assert.Empty(logs.Where(l => l.Contains("sig=", StringComparison.OrdinalIgnoreCase)));
        Assert.Empty(logs.Where(l => l.Contains("\"objectStr\"", StringComparison.OrdinalIgnoreCase)));
    }
}
