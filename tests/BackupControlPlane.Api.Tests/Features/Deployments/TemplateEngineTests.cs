using System.Text.Json.Nodes;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Features.Deployments.Templates;
using BackupControlPlane.Api.Features.Restore;
using static BackupControlPlane.Api.Tests.Features.Deployments.TemplateTestKit;

namespace BackupControlPlane.Api.Tests.Features.Deployments;

/// <summary>The template engine's contract: parameters, variables, resources in order, bodies and outputs.</summary>
public sealed class TemplateEngineTests
{
    private const string VaultTemplate = """
        {
          "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
          "contentVersion": "1.0.0.0",
          "parameters": {
            "vaultName": { "type": "string", "minLength": 2 },
            "location": { "type": "string", "defaultValue": "[resourceGroup().location]" },
            "retentionDays": { "type": "int", "defaultValue": 30, "minValue": 7, "maxValue": 9999 },
            "adminPassword": { "type": "securestring" }
          },
          "variables": { "policyName": "[concat(parameters('vaultName'), '-daily')]" },
          "resources": [
            {
              "type": "Microsoft.RecoveryServices/vaults/backupPolicies",
              "apiVersion": "2023-04-01",
              "name": "[format('{0}/{1}', parameters('vaultName'), variables('policyName'))]",
              "dependsOn": [ "[resourceId('Microsoft.RecoveryServices/vaults', parameters('vaultName'))]" ],
              "properties": { "backupManagementType": "AzureIaasVM", "days": "[parameters('retentionDays')]", "vault": "[reference(resourceId('Microsoft.RecoveryServices/vaults', parameters('vaultName'))).provisioningState]" }
            },
            {
              "type": "Microsoft.RecoveryServices/vaults",
              "apiVersion": "2023-04-01",
              "name": "[parameters('vaultName')]",
              "location": "[parameters('location')]",
              "sku": { "name": "RS0", "tier": "Standard" },
              "properties": {}
            }
          ],
          "outputs": {
            "vaultId": { "type": "string", "value": "[resourceId('Microsoft.RecoveryServices/vaults', parameters('vaultName'))]" },
            "state": { "type": "string", "value": "[reference(parameters('vaultName')).provisioningState]" }
          }
        }
        """;

    private static readonly string VaultId = $"/subscriptions/{Subscription}/resourceGroups/{Group}/providers/Microsoft.RecoveryServices/vaults/v1";

    [Fact]
    public async Task A_vault_and_its_policy_are_planned_in_dependency_order_with_evaluated_bodies()
    {
        var reader = new FakeReader();
        var plan = Plan(VaultTemplate, """{"vaultName":{"value":"v1"},"adminPassword":{"value":"s3cret!"}}""", reader);

        Assert.Equal([VaultId, $"{VaultId}/backupPolicies/v1-daily"], plan.Resources.Select(r => r.ResourceId));
        var policy = plan.Resources[1];
        Assert.Equal("Microsoft.RecoveryServices/vaults/backupPolicies", policy.Type);
        Assert.Equal("v1/v1-daily", policy.Name);
        Assert.Equal([VaultId], policy.DependsOn);
        Assert.False(policy.IsExisting);

        var vaultBody = await plan.Resources[0].EvaluateBodyAsync(CancellationToken.None);
        Assert.Equal("""{"location":"westeurope","sku":{"name":"RS0","tier":"Standard"},"properties":{}}""", Json(vaultBody));

        reader.Resources[VaultId] = new JsonObject { ["id"] = VaultId, ["properties"] = new JsonObject { ["provisioningState"] = "Succeeded" } };
        var policyBody = await policy.EvaluateBodyAsync(CancellationToken.None);
        Assert.Equal("""{"properties":{"backupManagementType":"AzureIaasVM","days":30,"vault":"Succeeded"}}""", Json(policyBody));

        var outputs = await plan.EvaluateOutputsAsync(CancellationToken.None);
        Assert.Equal($$$"""{"vaultId":{"type":"String","value":"{{{VaultId}}}"},"state":{"type":"String","value":"Succeeded"}}""", Json(outputs));
    }

    [Fact]
    public void Parameters_are_returned_typed_and_secure_values_are_never_echoed()
    {
        var plan = Plan(VaultTemplate, """{"vaultName":{"value":"v1"},"adminPassword":{"value":"s3cret!"}}""");

        Assert.Equal("""{"vaultName":{"type":"String","value":"v1"},"location":{"type":"String","value":"westeurope"},"retentionDays":{"type":"Int","value":30},"adminPassword":{"type":"SecureString"}}""",
            Json(plan.Parameters));
        Assert.DoesNotContain("s3cret", Json(plan.Parameters));
    }

    [Theory]
    [InlineData("""{"vaultName":{"value":"v1"}}""", "The value for the template parameter 'adminPassword' is not provided")]
    [InlineData("""{"vaultName":{"value":"v1"},"adminPassword":{"value":"x"},"extra":{"value":1}}""", "The template parameters 'extra' in the parameters file are not valid")]
    [InlineData("""{"vaultName":{"value":"v"},"adminPassword":{"value":"x"}}""", "Length of the value should be greater than or equal to '2'")]
    [InlineData("""{"vaultName":{"value":"v1"},"adminPassword":{"value":"x"},"retentionDays":{"value":"30"}}""", "Expected 'Integer'. Actual 'String'")]
    [InlineData("""{"vaultName":{"value":"v1"},"adminPassword":{"value":"x"},"retentionDays":{"value":3}}""", "The value must be at least 7")]
    [InlineData("""{"vaultName":{"value":"v1"},"adminPassword":{"reference":{"keyVault":{"id":"/x"},"secretName":"s"}}}""", "Key Vault reference")]
    public void Bad_parameters_are_refused_as_InvalidTemplate_naming_the_parameter(string parameters, string message)
    {
        var error = Assert.Throws<TemplateException>(() => Plan(VaultTemplate, parameters));

        Assert.Equal("InvalidTemplate", error.Code);
        Assert.StartsWith("Deployment template validation failed: '", error.Message);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void An_unknown_function_is_refused_naming_it_and_where_it_is()
    {
        var error = Assert.Throws<TemplateException>(() => Plan("""
            {"resources":[{"type":"Microsoft.RecoveryServices/vaults","apiVersion":"2023-04-01","name":"[frobnicate('x')]"}]}
            """));

        Assert.Equal("InvalidTemplate", error.Code);
        Assert.Contains("The template function 'frobnicate' is not valid", error.Message);
        Assert.Equal("resources[0].name", error.Target);
    }

    [Fact]
    public void An_error_path_is_located_in_the_template_text_as_sent_comments_included()
    {
        const string text = """
            {
              // a comment az leaves in
              "resources": [
                { "type": "Microsoft.RecoveryServices/vaults", "apiVersion": "2023-04-01", "name": "ok" },
                { "type": "Microsoft.RecoveryServices/vaults", "apiVersion": "2023-04-01",
                  "name": "[frobnicate()]" },
              ]
            }
            """;

        Assert.Equal((6, 7), TemplateSource.Locate(text, "resources[1].name"));
        Assert.Equal((5, 5), TemplateSource.Locate(text, "resources[1]"));
        Assert.Equal((0, 0), TemplateSource.Locate(text, ""));
    }

    [Fact]
    public async Task A_body_or_output_that_fails_at_deployment_time_says_which_resource_or_output()
    {
        var plan = Plan("""
            {"resources":[{"type":"Microsoft.RecoveryServices/vaults","apiVersion":"2023-04-01","name":"v1","properties":{"x":"[reference('v1').missing]"}}],
             "outputs":{"bad":{"type":"int","value":"[reference('v1').missing]"}}}
            """, reader: new FakeReader { Resources = { [VaultId] = new JsonObject { ["properties"] = new JsonObject { ["a"] = 1 } } } });

        var body = await Assert.ThrowsAsync<TemplateException>(() => plan.Resources[0].EvaluateBodyAsync(CancellationToken.None));
        Assert.Equal("InvalidTemplate", body.Code);
        Assert.StartsWith($"Unable to process template language expressions for resource '{VaultId}'. 'The language expression property 'missing' doesn't exist", body.Message);
        Assert.Equal("resources[0].properties.x", body.Target);

        var output = await Assert.ThrowsAsync<TemplateException>(() => plan.EvaluateOutputsAsync(CancellationToken.None));
        Assert.Equal("DeploymentOutputEvaluationFailed", output.Code);
        Assert.StartsWith("Unable to evaluate template outputs: 'bad'.", output.Message);
    }

    [Fact]
    public async Task Reading_a_resource_that_does_not_exist_is_ResourceNotFound()
    {
        var plan = Plan("""{"outputs":{"o":{"type":"object","value":"[reference('/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/virtualMachines/gone', '2023-03-01')]"}}}""");

        var error = await Assert.ThrowsAsync<TemplateException>(() => plan.EvaluateOutputsAsync(CancellationToken.None));
        Assert.Equal("ResourceNotFound", error.Code);
        Assert.Contains("virtualMachines/gone' was not found", error.Message);
    }

    [Fact]
    public async Task The_restore_jobs_template_plans_a_VM_on_the_restored_disks_under_the_name_given()
    {
        var vm = new VirtualMachine { SubscriptionId = Subscription, ResourceGroup = Group, Name = "vm1", Key = "k", Location = "westeurope", OsType = "Linux", VmSize = "Standard_B2s" };
        var disks = new List<RestoreArtifacts.RestoredDisk>
        {
            new(-1, "vm1-osdisk", 30, new Uri("http://127.0.0.1:10000/devstoreaccount1/vm1-abc/os.vhd"), 1024),
            new(0, "vm1-data0", 8, new Uri("http://127.0.0.1:10000/devstoreaccount1/vm1-abc/data0.vhd"), 1024),
        };
        var template = JsonNode.Parse(RestoreArtifacts.Template(vm, disks))!.AsObject();

        var plan = TemplateEngine.Plan(template, JsonNode.Parse("""{"VirtualMachineName":{"value":"restored"}}""")!.AsObject(), Context());

        var restored = plan.Resources.Single();
        Assert.Equal($"/subscriptions/{Subscription}/resourceGroups/{Group}/providers/Microsoft.Compute/virtualMachines/restored", restored.ResourceId);
        var body = await restored.EvaluateBodyAsync(CancellationToken.None);
        Assert.Equal("Standard_B2s", body["properties"]!["hardwareProfile"]!["vmSize"]!.GetValue<string>());
        Assert.Equal("http://127.0.0.1:10000/devstoreaccount1/vm1-abc/data0.vhd", body["properties"]!["storageProfile"]!["dataDisks"]![0]!["vhd"]!["uri"]!.GetValue<string>());
    }
}
