using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using BackupControlPlane.Api.Tests.Infrastructure;
using Xunit.Abstractions;

namespace BackupControlPlane.Api.Tests.Oracle;

/// <summary>One scenario (protected VM with a finished backup) shared by the example replay and the coverage probe.</summary>
public sealed class OracleScenarioFixture
{
    private readonly Lazy<Task<OracleScenario>> _scenario =
        new(async () => await OracleScenario.CreateAsync(await EmulatorApp.SharedAsync(), "rg-oracle-" + Guid.NewGuid().ToString("N")[..6]));

    public Task<OracleScenario> Scenario => _scenario.Value;
}

/// <summary>Azure's own OpenAPI documents (Oracle/specs) judge the emulator's ARM answers.</summary>
public sealed class SpecConformanceTests(OracleScenarioFixture fixture, ITestOutputHelper output) : IClassFixture<OracleScenarioFixture>
{
    private static readonly SpecValidator Oracle = SpecValidator.Azure;
    private static OpenApiSpec Spec => Oracle.Spec;

    [Fact]
    public async Task A_backup_scenario_answers_every_ARM_call_as_the_spec_describes()
    {
        var app = await EmulatorApp.SharedAsync();
        var s = await OracleScenario.CreateAsync(app, "rg-oracle-" + Guid.NewGuid().ToString("N")[..6]);
        string Filter(string f) => "?$filter=" + Uri.EscapeDataString(f);
        string[] reads =
        [
            s.VaultPath, ArmTestClient.Rg(s.Rg) + "/providers/Microsoft.RecoveryServices/vaults",
            s.VaultPath + "/backupPolicies" + Filter("backupManagementType eq 'AzureIaasVM'"), s.VaultPath + "/backupPolicies/DefaultPolicy",
            s.VaultPath + "/backupProtectableItems" + Filter("backupManagementType eq 'AzureIaasVM'"),
            s.VaultPath + "/backupProtectionContainers" + Filter($"backupManagementType eq 'AzureIaasVM' and friendlyName eq '{s.Vm}' and status eq 'Registered'"),
            s.VaultPath + "/backupProtectedItems" + Filter("backupManagementType eq 'AzureIaasVM' and itemType eq 'VM'"), s.ItemPath,
            s.VaultPath + "/backupJobs", s.VaultPath + "/backupJobs" + Filter("operation eq 'Backup' and status eq 'Completed'"),
            s.VaultPath + "/backupJobs/" + s.BackupJobId,
            s.VaultPath + "/backupOperations/" + s.OperationId, s.ItemPath + "/operationsStatus/" + s.OperationId,
            s.ItemPath + "/recoveryPoints", s.ItemPath + "/recoveryPoints/" + s.RecoveryPointId,
        ];
        foreach (var path in reads)
        {
            using var read = await app.Arm.SendAsync(HttpMethod.Get, path);
            Assert.True(read.StatusCode == HttpStatusCode.OK, $"GET {path} answered {(int)read.StatusCode}");
        }
        // The Location URLs finish with 204, and what does not exist answers ARM's error envelope.
        foreach (var (path, status) in new[]
                 {
                     (s.ItemPath + "/operationResults/" + s.OperationId, HttpStatusCode.NoContent),
                     (s.VaultPath + "/backupOperationResults/" + s.OperationId, HttpStatusCode.NoContent),
                     (s.VaultPath + "/backupJobs/" + Guid.NewGuid(), HttpStatusCode.NotFound),
                     (s.ItemPath + "/recoveryPoints/404", HttpStatusCode.NotFound),
                 })
        {
            using var answer = await app.Arm.SendAsync(HttpMethod.Get, path);
            Assert.Equal(status, answer.StatusCode);
        }
        // Restore disks, followed as the CLI does: the operation, then the Restore job until it ends.
        using (var restore = await app.Arm.SendAsync(HttpMethod.Post, $"{s.ItemPath}/recoveryPoints/{s.RecoveryPointId}/restore", new
               {
                   properties = new
                   {
                       objectType = "IaasVMRestoreRequest", recoveryType = "RestoreDisks", recoveryPointId = s.RecoveryPointId, region = "eastus",
                       sourceResourceId = ArmTestClient.VmPath(s.Rg, s.Vm), storageAccountId = ArmTestClient.Rg(s.Rg) + "/providers/Microsoft.Storage/storageAccounts/oraclesa",
                   },
               }))
        {
            Assert.Equal(HttpStatusCode.Accepted, restore.StatusCode);
            var op = await app.Arm.GetAsync(s.VaultPath + "/backupOperations/" + new Uri(restore.Headers.GetValues("Azure-AsyncOperation").Single()).AbsolutePath.Split('/')[^1]);
            var job = await app.Arm.WaitForJobAsync(s.Rg, s.Vault, op["properties"]!["jobId"]!.GetValue<string>());
            Assert.Equal("Completed", job["properties"]!["status"]!.GetValue<string>());
        }

        var report = new OracleReport(
            ArmTrafficRecorder.All.Where(e => e.PathAndQuery.Contains($"/resourceGroups/{s.Rg}/", StringComparison.OrdinalIgnoreCase)), Oracle);
        report.WriteTo(output.WriteLine);
        Assert.Empty(report.NotImplemented);
        Assert.Subset(new HashSet<string>
        {
            "Vaults_CreateOrUpdate", "Vaults_Get", "Vaults_ListByResourceGroup", "BackupPolicies_List", "ProtectionPolicies_Get",
            "ProtectedItems_CreateOrUpdate", "ProtectedItems_Get", "BackupProtectedItems_List", "BackupProtectableItems_List",
            "BackupProtectionContainers_List", "BackupJobs_List", "JobDetails_Get", "BackupOperationStatuses_Get",
            "ProtectedItemOperationStatuses_Get", "ProtectedItemOperationResults_Get", "BackupOperationResults_Get",
            "RecoveryPoints_List", "RecoveryPoints_Get", "Restores_Trigger",
        }, report.Operations.ToHashSet());
        Assert.True(report.Violations.Count == 0, "The emulator's answers break Azure's spec:\n" + string.Join("\n", report.Violations));
    }

    /// <summary>
    /// Requests the emulator refuses on purpose (by example file or by operationId), with the answer it must give.
    /// Each one is a documented gap; when the feature comes, its entry goes and the examples must pass.
    /// </summary>
    private static readonly Dictionary<string, (int Status, string Code, string Why)> DocumentedGaps = new()
    {
        ["AzureIaasVm/ClassicCompute_ProtectedItem_Get.json"] = (400, "InvalidRequestContent", "classic (ASM) VMs are not emulated"),
        ["AzureIaasVm/TriggerRestore_ALR_IaasVMRestoreRequest.json"] = (400, "BMSUserErrorNotSupported", "only restore disks is emulated, not creating a VM"),
        ["AzureIaasVm/TriggerRestore_ALR_IaasVMRestoreRequest_IdentityBasedRestoreDetails.json"] = (400, "BMSUserErrorNotSupported", "only restore disks is emulated, not creating a VM"),
        ["AzureIaasVm/TriggerRestore_ALR_IaasVMRestoreWithRehydrationRequest.json"] = (400, "UserErrorRecoveryPointRehydrationNotAllowed", "the scenario's point is not archived: Azure rehydrates archived points only"),
        ["AzureIaasVm/TriggerRestore_RestoreDisks_IaasVMRestoreWithRehydrationRequest.json"] = (400, "UserErrorRecoveryPointRehydrationNotAllowed", "the scenario's point is not archived: Azure rehydrates archived points only"),
        // Every 4 hours with 30 days of snapshots: above the 17-day cap Azure documents for a 4-hour interval (azure-protection-restore.md §1.3).
        ["AzureIaasVm/V2Policy/IaaS_v2_hourly.json"] = (400, "BMSUserErrorInvalidPolicyInput", "a 4-hourly Enhanced policy keeps snapshots at most 17 days, the example asks 30"),
        ["MoveRecoveryPoint"] = (400, "RecoveryPointTypeNotEligibleForArchive", "the scenario's point is a daily one: Azure archives monthly and yearly points only"),
        // The example's body names another recovery point than its URL (38823086363464 vs the replayed scenario's point).
        ["ItemLevelRecoveryConnections_Provision"] = (400, "InvalidRequestContent", "the example's body names a recovery point other than the URL's"),
        // The replayed job is the scenario's finished backup; Azure too cancels only during the snapshot phase.
        ["Common/TriggerCancelJob.json"] = (400, "BMSUserErrorJobNotCancellable", "the scenario's job has already completed"),
        // The examples switch the scenario's vault to LRS; it protects a VM, so Azure too has locked its redundancy.
        ["Common/BackupStorageConfig_Put.json"] = (400, "StorageModelModifyError", "the scenario's vault protects a VM, so its storage redundancy is locked"),
        ["Common/BackupStorageConfig_Patch.json"] = (400, "StorageModelModifyError", "the scenario's vault protects a VM, so its storage redundancy is locked"),
    };

    [Fact]
    public async Task Azure_example_requests_get_answers_the_spec_allows()
    {
        var app = await EmulatorApp.SharedAsync();
        var s = await fixture.Scenario;
        var failures = new List<string>();
        var answered = new List<string>();
        var notImplemented = new List<string>();
        // Deletes last, so that a delete the emulator may learn one day cannot pull the scenario from under the others.
        // The policy's delete comes after the item's, as a user must order them (a policy in use cannot be deleted).
        foreach (var (op, file) in Examples().OrderBy(e => e.Op.Method == "DELETE").ThenBy(e => e.Op.OperationId == "ProtectionPolicies_Delete"))
        {
            var name = ExampleName(file);
            // One restore of an item at a time, as in Azure: the next restore example waits for the last one's job.
            if (op.OperationId == "Restores_Trigger") await WaitForRestoresAsync(app, s);
            var request = s.FromExample(Spec, op, JsonNode.Parse(await File.ReadAllTextAsync(file))!);
            var (status, body) = await OracleScenario.SendAsync(app.Client, request);
            var seen = $"{name} ({op.OperationId}): {request.Method} {request.PathAndQuery} -> {status}";
            if (OracleReport.IsNotImplemented(status, body))
            {
                notImplemented.Add(seen);
                continue;
            }
            answered.Add(seen);
            if (DocumentedGaps.TryGetValue(name, out var gap) || DocumentedGaps.TryGetValue(op.OperationId, out gap))
            {
                if (status != gap.Status || !body.Contains($"\"{gap.Code}\"", StringComparison.Ordinal))
                    failures.Add($"{seen}: the documented gap ({gap.Why}) should answer {gap.Status} {gap.Code}, got {body}");
                continue;
            }
            if (!op.DeclaredStatuses.Contains(status))
                failures.Add($"{seen}: {op.OperationId} declares {string.Join(", ", op.DeclaredStatuses)}; body {body}");
            failures.AddRange(Oracle.Check(op, status, body).Violations.Select(v => $"{seen}: {v}"));
        }
        output.WriteLine($"{answered.Count} examples answered by the emulator:");
        answered.ForEach(output.WriteLine);
        output.WriteLine($"{notImplemented.Count} examples of operations the emulator does not have:");
        notImplemented.ForEach(output.WriteLine);
        Assert.True(answered.Count >= 20, $"only {answered.Count} examples reached an implemented operation");
        Assert.True(failures.Count == 0, "Azure's examples get answers the spec does not allow:\n" + string.Join("\n", failures));
    }

    /// <summary>
    /// What an IaaS VM backup user can call, out of bms.json: every operation under /subscriptions except those that
    /// exist only for other workloads. Registered containers (Azure Files storage accounts, SQL/SAP HANA in VMs), the
    /// workload inquiry behind them, DPM/MABS backup engines and resource guard proxies are excluded; vault-level
    /// features (configs, private endpoints, data move, tiering cost, intents) count, since a VM's vault has them.
    /// </summary>
    private static readonly (string OperationIdPrefix, string Why)[] NotIaasVm =
    [
        ("ProtectionContainers_Register", "registers storage accounts (Azure Files) and VMs hosting SQL/SAP; IaaS VM containers come from discovery"),
        ("ProtectionContainers_Unregister", "unregisters such containers"),
        ("ProtectionContainers_Inquire", "inquires workloads (databases, file shares) inside a registered container"),
        ("ProtectionContainerOperationResults_Get", "result of register/inquire"),
        ("ProtectableContainers_List", "storage accounts and VM app containers that could be registered"),
        ("DeletedProtectionContainers_List", "soft-deleted registered containers"),
        ("BackupWorkloadItems_List", "databases inside a registered container (SQL, SAP HANA/ASE)"),
        ("BackupEngines_", "DPM and Azure Backup Server"),
        ("ResourceGuardProx", "resource guard proxies"),
    ];

    [Fact]
    public async Task Coverage_of_the_IaaS_VM_operations_of_bms_json()
    {
        var bms = Spec.Operations.Where(o => o.File == Spec.File(OpenApiSpec.Bms)).ToList();
        Assert.True(bms.Count > 50, $"bms.json parsed into only {bms.Count} operations"); // the spec itself was read
        var app = await EmulatorApp.SharedAsync();
        var s = await fixture.Scenario;

        var excluded = bms.Select(o => (Op: o, Why: WhyNotCounted(o))).Where(x => x.Why is not null).Select(x => (x.Op, Why: x.Why!)).ToList();
        var rows = new List<(SpecOperation Op, bool Implemented, int Status, string? Refusal)>();
        foreach (var op in bms.Except(excluded.Select(x => x.Op)).OrderBy(o => o.Method switch { "GET" => 0, "DELETE" => 2, _ => 1 }))
        {
            // Reads use the scenario's names; writes take Azure's example body when there is one, so a handler that
            // validates its input still shows that it exists.
            var example = op.Method is "GET" or "DELETE" ? null : op.ExampleFiles.OrderBy(f => DocumentedGaps.ContainsKey(ExampleName(f))).FirstOrDefault();
            var request = example is null ? s.Plausible(op) : s.FromExample(Spec, op, JsonNode.Parse(await File.ReadAllTextAsync(example))!);
            var (status, body) = await OracleScenario.SendAsync(app.Client, request);
            rows.Add((op, !OracleReport.IsNotImplemented(status, body), status, Refusal(body)));
        }

        var markdown = CoverageMarkdown(rows, excluded);
        output.WriteLine(markdown);
        // The status each probe got, for reading; the checked-in file leaves it out, as it depends on test order.
        foreach (var r in rows) output.WriteLine($"probe {r.Op.OperationId}: {r.Status}");
        var file = Path.Combine(OpenApiDocumentTests.RepositoryRoot(), "tests", "BackupControlPlane.Api.Tests", "Oracle", "coverage.md");
        if (Environment.GetEnvironmentVariable("UPDATE_ORACLE") == "1")
        {
            await File.WriteAllTextAsync(file, markdown);
            return;
        }
        AssertSameCoverage(await File.ReadAllTextAsync(file), markdown);
    }

    /// <summary>
    /// The checked-in coverage is the floor: an operation it lists as answered that no longer is fails the run. Any
    /// other difference (an operation gained, the table's text) fails too, so the file in the repository stays true.
    /// </summary>
    private static void AssertSameCoverage(string checkedIn, string now)
    {
        var before = CoverageRows(checkedIn);
        var after = CoverageRows(now);
        var dropped = before.Where(b => b.Value != "not implemented" && after.GetValueOrDefault(b.Key) is null or "not implemented")
            .Select(b => $"{b.Key}: was '{b.Value}', now '{after.GetValueOrDefault(b.Key) ?? "not probed"}'").ToList();
        Assert.True(dropped.Count == 0, "Coverage of bms.json dropped against Oracle/coverage.md:\n" + string.Join("\n", dropped));
        var changed = after.Where(a => before.GetValueOrDefault(a.Key) != a.Value).Select(a => $"{a.Key}: '{before.GetValueOrDefault(a.Key) ?? "not listed"}' -> '{a.Value}'").ToList();
        const string regenerate = "; if intended, rewrite it with UPDATE_ORACLE=1 dotnet test tests/BackupControlPlane.Api.Tests --filter FullyQualifiedName~Oracle";
        Assert.True(changed.Count == 0, "Oracle/coverage.md is out of date" + regenerate + ":\n" + string.Join("\n", changed));
        Assert.True(checkedIn.ReplaceLineEndings() == now.ReplaceLineEndings(), "Oracle/coverage.md differs from the generated table" + regenerate);
    }

    /// <summary>operationId → the emulator column, from the table's rows ("| id | method | `path` | emulator |").</summary>
    private static Dictionary<string, string> CoverageRows(string markdown)
    {
        var rows = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in markdown.ReplaceLineEndings().Split('\n'))
        {
            var cells = line.Split('|', StringSplitOptions.TrimEntries);
            // Operation rows have four cells between the bars; the "Not counted" table has two.
            if (cells.Length == 6 && cells[0].Length == 0 && cells[3].StartsWith('`')) rows[cells[1]] = cells[4];
        }
        return rows;
    }

    private static string? WhyNotCounted(SpecOperation op) =>
        !op.PathTemplate.StartsWith("/subscriptions/", StringComparison.OrdinalIgnoreCase)
            ? "tenant-level provider metadata, outside /subscriptions"
            : NotIaasVm.FirstOrDefault(x => op.OperationId.StartsWith(x.OperationIdPrefix, StringComparison.Ordinal)).Why;

    /// <summary>The error code of a route that exists but refuses the feature ("...NotSupported"), shown next to its row.</summary>
    private static string? Refusal(string body) =>
        Regex.Match(body, "\"code\":\"(\\w*NotSupported)\"") is { Success: true } m ? m.Groups[1].Value : null;

    private static string CoverageMarkdown(List<(SpecOperation Op, bool Implemented, int Status, string? Refusal)> rows, List<(SpecOperation Op, string Why)> excluded)
    {
        var implemented = rows.Count(r => r.Implemented);
        var md = new StringBuilder();
        md.AppendLine("# Emulator coverage of bms.json 2025-02-01 (IaaS VM operations)").AppendLine();
        md.AppendLine("Generated by `SpecConformanceTests.Coverage_of_the_IaaS_VM_operations_of_bms_json`; regenerate with");
        md.AppendLine("`UPDATE_ORACLE=1 dotnet test tests/BackupControlPlane.Api.Tests --filter FullyQualifiedName~Oracle`.").AppendLine();
        md.AppendLine("Each operation's path is called with a plausible request on a vault with a backed-up VM: reads with the scenario's names,");
        md.AppendLine("writes with Azure's example when one is copied under `specs/` (else `{}`). 405, or 404 \"No emulated ARM resource or action");
        md.AppendLine("matches\", means not implemented; any other answer (a 4xx from the emulator's handler too) means the route exists and counts;");
        md.AppendLine("a route that answers a \"...NotSupported\" error is marked \"route only\".").AppendLine();
        md.AppendLine("Counted: every operation under `/subscriptions`, except those that exist only for other workloads (listed at the end).").AppendLine();
        md.AppendLine($"**Implemented: {implemented} of {rows.Count} ({100.0 * implemented / rows.Count:0}%)**").AppendLine();
        md.AppendLine("| operationId | method | path (V = …/vaults/{vaultName}) | emulator |");
        md.AppendLine("|---|---|---|---|");
        foreach (var r in rows.OrderByDescending(r => r.Implemented).ThenBy(r => r.Op.OperationId, StringComparer.Ordinal))
            md.AppendLine($"| {r.Op.OperationId} | {r.Op.Method} | `{Shorten(r.Op.PathTemplate)}` | {(!r.Implemented ? "not implemented" : r.Refusal is null ? "implemented" : $"route only, refuses: {r.Refusal}")} |");
        md.AppendLine().AppendLine("## Not counted").AppendLine();
        md.AppendLine("| operationId | why |").AppendLine("|---|---|");
        foreach (var (op, why) in excluded.OrderBy(e => e.Op.OperationId, StringComparer.Ordinal)) md.AppendLine($"| {op.OperationId} | {why} |");
        return md.ToString();
    }

    private static string Shorten(string template)
    {
        const string vault = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.RecoveryServices/vaults/{vaultName}";
        return template.StartsWith(vault, StringComparison.OrdinalIgnoreCase) ? "V" + template[vault.Length..] : template;
    }

    private static async Task WaitForRestoresAsync(EmulatorApp app, OracleScenario s)
    {
        var running = s.VaultPath + "/backupJobs?$filter=" + Uri.EscapeDataString("operation eq 'Restore' and status eq 'InProgress'");
        foreach (var job in (await app.Arm.GetAsync(running))["value"]!.AsArray())
            await app.Arm.WaitForJobAsync(s.Rg, s.Vault, job!["name"]!.GetValue<string>());
    }

    private static IEnumerable<(SpecOperation Op, string File)> Examples() =>
        Spec.Operations.SelectMany(op => op.ExampleFiles.Select(f => (op, f)));

    private static string ExampleName(string file)
    {
        var path = file.Replace('\\', '/');
        return path[(path.LastIndexOf("/examples/", StringComparison.Ordinal) + "/examples/".Length)..];
    }
}
