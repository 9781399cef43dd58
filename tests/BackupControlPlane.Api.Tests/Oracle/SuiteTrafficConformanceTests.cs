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

    [Fact]
    public async Task No_bearer_token_or_agent_secret_appears_in_any_log_line_of_the_run()
    {
        // Make sure this test judges something when run alone: tokens issued and refused, an agent registered and
        // polling, a replayed credential refused (the hostile-input tests send thousands more of each).
        var app = await EmulatorApp.SharedAsync();
        var rg = "rg-tokens-" + Guid.NewGuid().ToString("N")[..6];
        await app.Arm.PutVmAsync(rg, "vmtoken");
        var token = await app.ManagedIdentityTokenAsync();
        var provisioning = await app.ProvisioningSecretAsync("vmtoken");
        using var first = await app.RegisterAgentAsync("vmtoken");
        var replayed = first.Credential!;
        using var second = await app.RegisterAgentAsync("vmtoken");
        using var http = app.NewHttpClient();
        foreach (var (scheme, value) in new[] { ("VmAgent", second.Credential!), ("VmAgent", replayed), ("Bearer", token[..^4] + "AAAA") })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, scheme == "Bearer"
                ? $"/subscriptions/{ArmTestClient.Sub}/resourceGroups/{rg}/providers/Microsoft.Compute/virtualMachines/vmtoken?api-version=2022-08-01"
                : "/agent/v1/goalstate?waitSeconds=0");
            request.Headers.Authorization = new(scheme, value);
            using var _ = await http.SendAsync(request);
        }

        var logs = CapturedLogs.All;
        output.WriteLine($"Scanned {logs.Count} log lines.");
        // Any JWT (header.payload, both base64url JSON), issued by the emulator or forged by a test; and the exact
        // secrets of this test's agent (its provisioning secret, its credential and the one it superseded).
        var jwt = new System.Text.RegularExpressions.Regex(@"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}");
        Assert.Empty(logs.Where(l => jwt.IsMatch(l)));
        foreach (var secret in new[] { token, provisioning, second.Credential!, replayed })
            Assert.Empty(logs.Where(l => l.Contains(secret, StringComparison.Ordinal)));
    }
}
