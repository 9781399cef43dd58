using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace BackupControlPlane.Api.Tests.Oracle;

/// <summary>The oracle itself: it accepts what Azure documents and rejects what Azure's clients would trip over.</summary>
public sealed class SpecValidatorTests(ITestOutputHelper output)
{
    private static readonly SpecValidator Oracle = SpecValidator.Azure;
    private const string V = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.RecoveryServices/vaults/v";
    private const string Item = "/backupFabrics/Azure/protectionContainers/IaasVMContainer;iaasvmcontainerv2;rg;vm/protectedItems/VM;iaasvmcontainerv2;rg;vm";

    [Theory]
    [InlineData("GET", V + "/backupJobs/123?api-version=2025-02-01", "JobDetails_Get")]
    [InlineData("GET", V + "/backupJobs/operationResults/123", "ExportJobsOperationResults_Get")]
    [InlineData("POST", V + "/backupJobs/123/cancel", "JobCancellations_Trigger")]
    [InlineData("GET", V + Item + "/recoveryPoints/42", "RecoveryPoints_Get")]
    [InlineData("PUT", "/SUBSCRIPTIONS/s/resourcegroups/rg/providers/microsoft.recoveryservices/VAULTS/v", "Vaults_CreateOrUpdate")]
    [InlineData("GET", V + "/backupstorageconfig/vaultstorageconfig", "BackupResourceStorageConfigsNonCRR_Get")]
    public void Requests_find_their_operation_case_insensitively_one_segment_per_parameter(string method, string path, string operationId) =>
        Assert.Equal(operationId, OpenApiSpec.Azure.Find(method, path)?.OperationId);

    [Theory]
    [InlineData("GET", V + "/backupJobs/a/b/c")]
    [InlineData("PATCH", V + "/backupJobs/123")]
    [InlineData("GET", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm")]
    public void Requests_outside_the_spec_find_nothing(string method, string path) => Assert.Null(OpenApiSpec.Azure.Find(method, path));

    [Fact]
    public void Azure_own_example_responses_validate()
    {
        var failures = new List<string>();
        var checkedResponses = 0;
        foreach (var op in Oracle.Spec.Operations)
            foreach (var file in op.ExampleFiles)
                foreach (var (code, response) in JsonNode.Parse(File.ReadAllText(file))!["responses"]!.AsObject())
                {
                    var verdict = Oracle.Check(op, int.Parse(code), response?["body"]?.ToJsonString() ?? "");
                    checkedResponses++;
                    failures.AddRange(verdict.Violations.Select(v => $"{Path.GetFileName(file)} {code}: {v}"));
                    foreach (var u in verdict.Undeclared) output.WriteLine($"info: {Path.GetFileName(file)} {code} carries {u}");
                }
        output.WriteLine($"{checkedResponses} example responses checked");
        Assert.True(checkedResponses > 60, $"only {checkedResponses} example responses found under {OpenApiSpec.SpecRoot}");
        Assert.True(failures.Count == 0, "Azure's own examples fail the validator:\n" + string.Join("\n", failures));
    }

    public static TheoryData<string, string, string, string> Breakages => new()
    {
        // example, JSON pointer to set (or remove, with value "-"), new value, expected violation at
        { "Common/GetJobDetails.json", "/properties/jobType", "-", "/properties/jobType: required property 'jobType'" },
        { "Common/GetJobDetails.json", "/properties/status", "5", "/properties/status: expected string" },
        { "Common/GetJobDetails.json", "/properties/duration", "\"9 seconds\"", "/properties/duration: '9 seconds' is not a valid duration" },
        { "Common/GetJobDetails.json", "/properties/startTime", "\"03/08/2017 05:31\"", "/properties/startTime: '03/08/2017 05:31' is not a valid date-time" },
        { "Common/GetJobDetails.json", "/properties/errorDetails", "[{\"errorCode\":\"12\"}]", "/properties/errorDetails/0/errorCode: expected integer" },
        { "Common/GetJobDetails.json", "/properties/jobType", "\"AzureIaasVMJob\"", "/properties/jobType: 'AzureIaasVMJob' is no jobType of Job" },
        { "AzureIaasVm/Compute_ProtectedItem_Get.json", "/properties/protectedItemType", "\"Microsoft.Compute/VirtualMachines\"", "/properties/protectedItemType: 'Microsoft.Compute/VirtualMachines' is no protectedItemType" },
        { "AzureIaasVm/Compute_ProtectedItem_Get.json", "/properties/protectionState", "3", "/properties/protectionState: expected string" },
        // Only the concrete AzureIaaSVMProtectedItem knows extendedInfo: found through the discriminator.
        { "AzureIaasVm/Compute_ProtectedItem_Get.json", "/properties/extendedInfo", "{\"recoveryPointCount\":\"3\"}", "/properties/extendedInfo/recoveryPointCount: expected integer" },
        { "AzureIaasVm/ProtectionPolicies_Get.json", "/properties/schedulePolicy/scheduleRunDays", "[\"monday\"]", "/properties/schedulePolicy/scheduleRunDays/0: 'monday' is not one of the closed enum DayOfWeek" },
        { "AzureIaasVm/RecoveryPoints_Get.json", "/properties/objectType", "-", "/properties/objectType: required property 'objectType'" },
    };

    [Theory]
    [MemberData(nameof(Breakages))]
    public void Broken_bodies_are_reported_with_their_JSON_pointer(string example, string pointer, string value, string expected)
    {
        var (op, body) = ExampleBody(example);
        Set(body, pointer, value == "-" ? null : JsonNode.Parse(value));
        var verdict = Oracle.Check(op, 200, body.ToJsonString());
        Assert.Contains(verdict.Violations, v => v.ToString().StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Open_enums_take_new_values_and_unknown_properties_are_information_only()
    {
        var (op, body) = ExampleBody("AzureIaasVm/Compute_ProtectedItem_Get.json");
        Set(body, "/properties/protectionState", JsonValue.Create("SomeFutureState"));
        Set(body, "/properties/brandNewField", JsonValue.Create(true));
        var verdict = Oracle.Check(op, 200, body.ToJsonString());
        Assert.True(verdict.Conforms, string.Join("\n", verdict.Violations));
        Assert.Contains(verdict.Undeclared, u => u.StartsWith("/properties/brandNewField (not in AzureIaaSComputeVMProtectedItem)"));
    }

    [Fact]
    public void Undeclared_success_codes_and_bodies_where_none_is_declared_are_violations()
    {
        var enable = OpenApiSpec.Azure.Operation("ProtectedItems_CreateOrUpdate");
        Assert.Contains(Oracle.Check(enable, 201, "").Violations, v => v.Message.StartsWith("status 201 is not declared"));
        Assert.Contains(Oracle.Check(enable, 202, "{}").Violations, v => v.Message.Contains("declares no body for 202"));
        Assert.True(Oracle.Check(enable, 202, "").Conforms);
        // Errors fall back to "default": ARM's envelope.
        Assert.True(Oracle.Check(enable, 409, """{"error":{"code":"Conflict","message":"m"}}""").Conforms);
        Assert.Contains(Oracle.Check(enable, 400, """{"error":{"code":7}}""").Violations, v => v.Pointer == "/error/code");
    }

    private static (SpecOperation Op, JsonNode Body) ExampleBody(string example)
    {
        var op = Oracle.Spec.Operations.Single(o => o.ExampleFiles.Any(f => f.Replace('\\', '/').EndsWith("/examples/" + example)));
        var file = op.ExampleFiles.Single(f => f.Replace('\\', '/').EndsWith("/examples/" + example));
        return (op, JsonNode.Parse(File.ReadAllText(file))!["responses"]!["200"]!["body"]!.DeepClone());
    }

    /// <summary>Sets (or with null removes) the value at a JSON pointer whose parent exists.</summary>
    private static void Set(JsonNode root, string pointer, JsonNode? value)
    {
        var parts = pointer.Trim('/').Split('/');
        var parent = parts[..^1].Aggregate(root, (node, part) => node[part]!).AsObject();
        if (value is null) parent.Remove(parts[^1]);
        else parent[parts[^1]] = value;
    }
}
