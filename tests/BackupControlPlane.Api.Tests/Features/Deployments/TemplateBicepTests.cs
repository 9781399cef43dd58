using System.Text.Json.Nodes;
using BackupControlPlane.Api.Features.Deployments.Templates;
using static BackupControlPlane.Api.Tests.Features.Deployments.TemplateTestKit;

namespace BackupControlPlane.Api.Tests.Features.Deployments;

/// <summary>Templates compiled by the real Bicep CLI from the .bicep files in Bicep/, planned and evaluated.</summary>
public sealed class TemplateBicepTests
{
    private static readonly string Rg = $"/subscriptions/{Subscription}/resourceGroups/{Group}";

    [Fact]
    public async Task The_vault_quickstart_compiles_and_plans_the_vault_its_config_policy_protected_items_and_module_in_order()
    {
        var template = await BicepCompiler.BuildAsync("vault-with-protection.bicep");
        var reader = new FakeReader();
        var plan = TemplateEngine.Plan(template, JsonNode.Parse("""{"vaultName":{"value":"vault1"}}""")!.AsObject(), Context(reader));

        var vault = $"{Rg}/providers/Microsoft.RecoveryServices/vaults/vault1";
        var policy = $"{vault}/backupPolicies/DailyPolicy";
        var item = (string vm) => $"{vault}/backupFabrics/Azure/protectionContainers/iaasvmcontainer;iaasvmcontainerv2;{Group};{vm}/protectedItems/vm;iaasvmcontainerv2;{Group};{vm}";
        Assert.Equal([vault, $"{vault}/backupstorageconfig/vaultstorageconfig", policy, $"{Rg}/providers/Microsoft.Resources/deployments/softDelete", item("vm1"), item("vm2")],
            plan.Resources.Select(r => r.ResourceId));
        Assert.Equal([policy, $"{vault}/backupstorageconfig/vaultstorageconfig"], plan.Resources[4].DependsOn);

        var itemBody = await plan.Resources[5].EvaluateBodyAsync(CancellationToken.None);
        Assert.Equal($$$"""{"properties":{"protectedItemType":"Microsoft.Compute/virtualMachines","policyId":"{{{policy}}}","sourceResourceId":"{{{Rg}}}/providers/Microsoft.Compute/virtualMachines/vm2"}}""",
            Json(itemBody));
        var policyBody = await plan.Resources[2].EvaluateBodyAsync(CancellationToken.None);
        Assert.Equal(30, policyBody["properties"]!["retentionPolicy"]!["dailySchedule"]!["retentionDuration"]!["count"]!.GetValue<long>());

        var module = plan.Resources[3];
        Assert.True(module.IsNestedDeployment);
        var moduleBody = await module.EvaluateBodyAsync(CancellationToken.None);
        var inner = TemplateEngine.Plan(moduleBody["properties"]!["template"]!.AsObject(), moduleBody["properties"]!["parameters"]!.AsObject(), Context(reader) with { DeploymentName = "softDelete" });
        Assert.Equal($"{vault}/backupconfig/vaultconfig", inner.Resources.Single().ResourceId);

        reader.Resources[policy] = new JsonObject { ["properties"] = policyBody["properties"]!.DeepClone() };
        reader.Resources[module.ResourceId] = new JsonObject { ["properties"] = new JsonObject { ["outputs"] = await inner.EvaluateOutputsAsync(CancellationToken.None) } };
        var outputs = await plan.EvaluateOutputsAsync(CancellationToken.None);
        Assert.Equal(vault, outputs["vaultId"]!["value"]!.GetValue<string>());
        Assert.Equal("Int", outputs["retention"]!["type"]!.GetValue<string>());
        Assert.Equal(30, outputs["retention"]!["value"]!.GetValue<long>());
        Assert.Equal($"{vault}/backupconfig/vaultconfig", outputs["moduleConfigId"]!["value"]!.GetValue<string>());
        Assert.Equal($"vault1/Azure/iaasvmcontainer;iaasvmcontainerv2;{Group};vm1/vm;iaasvmcontainerv2;{Group};vm1", outputs["itemNames"]!["value"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task The_default_vault_name_is_Azures_uniqueString_of_the_group_id_and_allowed_values_are_enforced()
    {
        var template = await BicepCompiler.BuildAsync("vault-with-protection.bicep");

        var plan = TemplateEngine.Plan(template, null, Context());
        Assert.Equal($"vault{HashFunctions.UniqueString(Rg)}", plan.Resources[0].Name);

        var error = Assert.Throws<TemplateException>(() => TemplateEngine.Plan(template, JsonNode.Parse("""{"storageType":{"value":"ZoneRedundant"}}""")!.AsObject(), Context()));
        Assert.Contains("The parameter value is not part of the allowed value(s): 'LocallyRedundant,GeoRedundant'", error.Message);
    }

    [Fact]
    public async Task A_languageVersion_2_template_with_types_functions_lambdas_and_existing_resources_is_expanded()
    {
        var template = await BicepCompiler.BuildAsync("typed-policies.bicep");
        Assert.Equal("2.0", template["languageVersion"]!.GetValue<string>());
        var reader = new FakeReader();
        var plan = TemplateEngine.Plan(template, JsonNode.Parse("""{"vaultName":{"value":"v1"}}""")!.AsObject(), Context(reader));

        var vault = $"{Rg}/providers/Microsoft.RecoveryServices/vaults/v1";
        Assert.Equal(["vault", "backupPolicies[0]", "backupPolicies[1]"], plan.Resources.Select(r => r.SymbolicName));
        Assert.True(plan.Resources[0].IsExisting);
        Assert.Equal($"{vault}/backupPolicies/daily7", plan.Resources[2].ResourceId);
        var weekly = await plan.Resources[2].EvaluateBodyAsync(CancellationToken.None);
        Assert.Equal("Weekly", weekly["properties"]!["schedulePolicy"]!["scheduleRunFrequency"]!.GetValue<string>());

        reader.Resources[vault] = new JsonObject { ["location"] = "westeurope", ["properties"] = new JsonObject() };
        var outputs = await plan.EvaluateOutputsAsync(CancellationToken.None);
        Assert.Equal("""["DAILY30-30d","DAILY7-7d"]""", Json(outputs["labels"]!["value"]));
        Assert.Equal(1, outputs["longCount"]!["value"]!.GetValue<long>());
        Assert.Equal("westeurope", outputs["vaultLocation"]!["value"]!.GetValue<string>());

        var tooShort = Assert.Throws<TemplateException>(() => TemplateEngine.Plan(template,
            JsonNode.Parse("""{"vaultName":{"value":"v1"},"policies":{"value":[{"name":"p","days":3}]}}""")!.AsObject(), Context()));
        Assert.Contains("The provided value '3' for the template parameter 'policies[0].days' is not valid. The value must be at least 7", tooShort.Message);
        var missing = Assert.Throws<TemplateException>(() => TemplateEngine.Plan(template,
            JsonNode.Parse("""{"vaultName":{"value":"v1"},"policies":{"value":[{"days":30}]}}""")!.AsObject(), Context()));
        Assert.Contains("The property 'name' is required", missing.Message);
    }

    [Fact]
    public async Task A_subscription_scope_template_creates_the_group_before_the_module_deployed_into_it()
    {
        var template = await BicepCompiler.BuildAsync("subscription-vault.bicep");
        var plan = TemplateEngine.Plan(template, JsonNode.Parse("""{"groupName":{"value":"rg-new"}}""")!.AsObject(), Context(group: null));

        var group = $"/subscriptions/{Subscription}/resourceGroups/rg-new";
        Assert.Equal([group, $"{group}/providers/Microsoft.Resources/deployments/vault"], plan.Resources.Select(r => r.ResourceId));
        Assert.Equal([group], plan.Resources[1].DependsOn);
        var groupBody = await plan.Resources[0].EvaluateBodyAsync(CancellationToken.None);
        Assert.Equal("westeurope", groupBody["location"]!.GetValue<string>());
        Assert.Equal(group, (await plan.EvaluateOutputsAsync(CancellationToken.None))["groupId"]!["value"]!.GetValue<string>());

        var error = Assert.Throws<TemplateException>(() => TemplateEngine.Plan(template, JsonNode.Parse("""{"groupName":{"value":"x"}}""")!.AsObject(), Context()));
        Assert.Contains("is for subscription deployments, but this deployment is at resourceGroup scope", error.Message);
    }
}
