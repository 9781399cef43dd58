using System.Text.Json.Nodes;
using BackupControlPlane.Api.Features.Deployments.Templates;
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
}
