using System.Text.Json.Nodes;
using BackupControlPlane.Api.Features.Deployments.Templates;
using static BackupControlPlane.Api.Tests.Features.Deployments.TemplateTestKit;

namespace BackupControlPlane.Api.Tests.Features.Deployments;

/// <summary>Copy loops, conditions, symbolic names, child and extension resources, dependsOn ordering and cycles.</summary>
public sealed class TemplateExpansionTests
{
    private static readonly string Rg = $"/subscriptions/{Subscription}/resourceGroups/{Group}";

    private static async Task<List<JsonObject>> Bodies(TemplatePlan plan) =>
        [.. await Task.WhenAll(plan.Resources.Select(r => r.EvaluateBodyAsync(CancellationToken.None)))];

    [Fact]
    public async Task A_serial_copy_loop_makes_one_resource_per_index_each_batch_waiting_for_the_previous_one()
    {
        var plan = Plan("""
            {"parameters":{"names":{"type":"array","defaultValue":["a","b","c"]}},
             "resources":[{"type":"Microsoft.RecoveryServices/vaults","apiVersion":"2023-04-01",
               "name":"[parameters('names')[copyIndex()]]",
               "copy":{"name":"vaultLoop","count":"[length(parameters('names'))]","mode":"serial","batchSize":2},
               "properties":{"index":"[copyIndex(1)]"}}]}
            """);

        Assert.Equal(["a", "b", "c"], plan.Resources.Select(r => r.Name));
        Assert.Empty(plan.Resources[0].DependsOn);
        Assert.Empty(plan.Resources[1].DependsOn);
        Assert.Equal([$"{Rg}/providers/Microsoft.RecoveryServices/vaults/a", $"{Rg}/providers/Microsoft.RecoveryServices/vaults/b"], plan.Resources[2].DependsOn);
        Assert.Equal([1, 2, 3], (await Bodies(plan)).Select(b => b["properties"]!["index"]!.GetValue<long>()));
    }

    [Fact]
    public async Task Property_variable_and_output_copy_loops_build_arrays()
    {
        var plan = Plan("""
            {"variables":{"copy":[{"name":"disks","count":2,"input":"[concat('disk', copyIndex('disks'))]"}]},
             "resources":[{"type":"Microsoft.Compute/virtualMachines","apiVersion":"2023-03-01","name":"vm1",
               "properties":{"storageProfile":{"copy":[{"name":"dataDisks","count":2,"input":{"lun":"[copyIndex('dataDisks')]","name":"[variables('disks')[copyIndex('dataDisks')]]"}}]}}}],
             "outputs":{"luns":{"type":"array","copy":{"count":3,"input":"[mul(copyIndex(), 10)]"}}}}
            """);

        var body = (await Bodies(plan))[0];
        Assert.Equal("""{"properties":{"storageProfile":{"dataDisks":[{"lun":0,"name":"disk0"},{"lun":1,"name":"disk1"}]}}}""", Json(body));
        Assert.Equal("""{"luns":{"type":"Array","value":[0,10,20]}}""", Json(await plan.EvaluateOutputsAsync(CancellationToken.None)));
    }

    [Fact]
    public void A_false_condition_leaves_the_resource_out_and_its_dependents_wait_for_what_it_waited_for()
    {
        var plan = Plan("""
            {"resources":[
              {"type":"Microsoft.Network/virtualNetworks","apiVersion":"2023-04-01","name":"net"},
              {"condition":false,"type":"Microsoft.Network/networkSecurityGroups","apiVersion":"2023-04-01","name":"nsg","dependsOn":["net"]},
              {"type":"Microsoft.Network/networkInterfaces","apiVersion":"2023-04-01","name":"nic","dependsOn":["nsg"]}]}
            """);

        Assert.Equal(["net", "nic"], plan.Resources.Select(r => r.Name));
        Assert.Equal([$"{Rg}/providers/Microsoft.Network/virtualNetworks/net"], plan.Resources[1].DependsOn);
    }

    [Fact]
    public void A_dependency_cycle_is_refused_as_ARM_words_it()
    {
        var error = Assert.Throws<TemplateException>(() => Plan("""
            {"resources":[
              {"type":"Microsoft.Network/virtualNetworks","apiVersion":"2023-04-01","name":"a","dependsOn":["Microsoft.Network/virtualNetworks/b"]},
              {"type":"Microsoft.Network/virtualNetworks","apiVersion":"2023-04-01","name":"b","dependsOn":["[resourceId('Microsoft.Network/virtualNetworks', 'a')]"]}]}
            """));

        Assert.Equal("InvalidTemplate", error.Code);
        Assert.Contains("Circular dependency detected on resource: '", error.Message);
    }

    [Theory]
    [InlineData("\"copy\":[{\"name\":\"l\",\"count\":2}]", "resources[0].copy", "must be an object")]
    [InlineData("\"copy\":{\"name\":\"l\",\"count\":2,\"mode\":\"sequential\"}", "resources[0].copy.mode", "'serial' or 'parallel'")]
    [InlineData("\"copy\":{\"name\":\"l\",\"count\":2,\"mode\":\"serial\",\"batchSize\":0}", "resources[0].copy.batchSize", "positive integer")]
    [InlineData("\"copy\":{\"name\":\"l\",\"count\":2,\"input\":[]}", "resources[0].copy.input", "'input'")]
    [InlineData("\"dependsOn\":\"Microsoft.Network/virtualNetworks/b\"", "resources[0].dependsOn", "must be an array")]
    public void A_malformed_copy_loop_or_dependsOn_is_refused_by_name_instead_of_ignored(string member, string target, string words)
    {
        var error = Assert.Throws<TemplateException>(() => Plan($$"""
            {"resources":[{"type":"Microsoft.Network/virtualNetworks","apiVersion":"2023-04-01","name":"[concat('a', 'x')]",{{member}}}]}
            """));

        Assert.Equal("InvalidTemplate", error.Code);
        Assert.Contains(words, error.Message);
        Assert.Contains(target, error.Target ?? error.Message);
    }

    [Fact]
    public void A_dependsOn_naming_nothing_in_the_template_is_refused()
    {
        var error = Assert.Throws<TemplateException>(() => Plan("""
            {"resources":[{"type":"Microsoft.Network/virtualNetworks","apiVersion":"2023-04-01","name":"a","dependsOn":["ghost"]}]}
            """));
        Assert.Contains("The resource 'ghost' is not defined in the template", error.Message);
        Assert.Equal("resources[0].dependsOn", error.Target);
    }

    [Fact]
    public async Task Symbolic_names_existing_resources_extension_scopes_and_reference_by_symbol()
    {
        var reader = new FakeReader();
        var plan = Plan("""
            {"languageVersion":"2.0","contentVersion":"1.0.0.0",
             "resources":{
               "vm":{"existing":true,"type":"Microsoft.Compute/virtualMachines","apiVersion":"2023-03-01","name":"vm1"},
               "lock":{"type":"Microsoft.Authorization/locks","apiVersion":"2020-05-01","name":"nodelete","scope":"Microsoft.Compute/virtualMachines/vm1",
                       "properties":{"level":"CanNotDelete","notes":"[reference('vm').vmId]"},"dependsOn":["vm"]},
               "vaults":{"copy":{"name":"vaults","count":2},"type":"Microsoft.RecoveryServices/vaults","apiVersion":"2023-04-01","name":"[format('v{0}', copyIndex())]"},
               "last":{"type":"Microsoft.Resources/tags","apiVersion":"2022-09-01","name":"default","dependsOn":["vaults"],
                       "properties":{"tags":{"first":"[reference('vaults[0]', '2023-04-01', 'Full').name]"}}}}}
            """, reader: reader);

        var vmId = $"{Rg}/providers/Microsoft.Compute/virtualMachines/vm1";
        var byName = plan.Resources.ToDictionary(r => r.SymbolicName);
        Assert.True(byName["vm"].IsExisting);
        Assert.Equal($"{vmId}/providers/Microsoft.Authorization/locks/nodelete", byName["lock"].ResourceId);
        Assert.Equal([vmId], byName["lock"].DependsOn);
        Assert.Equal(2, byName["last"].DependsOn.Count);
        Assert.Equal(["vaults[0]", "vaults[1]"], plan.Resources.Where(r => r.Type.EndsWith("/vaults")).Select(r => r.SymbolicName));

        reader.Resources[vmId] = new JsonObject { ["name"] = "vm1", ["properties"] = new JsonObject { ["vmId"] = "1234" } };
        reader.Resources[$"{Rg}/providers/Microsoft.RecoveryServices/vaults/v0"] = new JsonObject { ["name"] = "v0", ["properties"] = new JsonObject() };
        Assert.Equal("1234", (await byName["lock"].EvaluateBodyAsync(CancellationToken.None))["properties"]!["notes"]!.GetValue<string>());
        Assert.Equal("v0", (await byName["last"].EvaluateBodyAsync(CancellationToken.None))["properties"]!["tags"]!["first"]!.GetValue<string>());
    }

    [Fact]
    public void Child_resources_nested_in_a_parent_get_full_types_and_names_and_wait_for_it()
    {
        var plan = Plan("""
            {"resources":[{"type":"Microsoft.RecoveryServices/vaults","apiVersion":"2023-04-01","name":"v1",
               "resources":[{"type":"backupPolicies","apiVersion":"2023-04-01","name":"daily","properties":{}}]}]}
            """);

        var policy = plan.Resources[1];
        Assert.Equal("Microsoft.RecoveryServices/vaults/backupPolicies", policy.Type);
        Assert.Equal("v1/daily", policy.Name);
        Assert.Equal([plan.Resources[0].ResourceId], policy.DependsOn);
        Assert.DoesNotContain("resources", plan.Resources[0].EvaluateBodyAsync(CancellationToken.None).Result.Select(p => p.Key));
    }

    [Fact]
    public void Names_that_do_not_match_their_type_and_duplicate_resources_are_refused()
    {
        var segments = Assert.Throws<TemplateException>(() => Plan("""
            {"resources":[{"type":"Microsoft.RecoveryServices/vaults/backupPolicies","apiVersion":"2023-04-01","name":"daily"}]}
            """));
        Assert.Contains("has incorrect segment lengths", segments.Message);
        Assert.Equal("resources[0]", segments.Target);

        var duplicate = Assert.Throws<TemplateException>(() => Plan("""
            {"resources":[{"type":"Microsoft.RecoveryServices/vaults","apiVersion":"2023-04-01","name":"v"},{"type":"Microsoft.RecoveryServices/vaults","apiVersion":"2023-04-01","name":"V"}]}
            """));
        Assert.Contains("is defined multiple times in a template", duplicate.Message);
    }

    [Fact]
    public void Reference_is_refused_where_ARM_refuses_it_names_and_conditions_are_planned_without_reading()
    {
        var error = Assert.Throws<TemplateException>(() => Plan("""
            {"resources":[{"type":"Microsoft.RecoveryServices/vaults","apiVersion":"2023-04-01","name":"[reference('x', '2020-01-01').name]"}]}
            """));
        Assert.Contains("The template function 'reference' is not expected at this location", error.Message);
    }

    [Fact]
    public async Task A_nested_deployment_keeps_its_inner_template_for_the_deployer_and_gets_its_parameters_evaluated()
    {
        var plan = Plan("""
            {"parameters":{"vaultName":{"type":"string","defaultValue":"v9"}},
             "resources":[{"type":"Microsoft.Resources/deployments","apiVersion":"2022-09-01","name":"module1","resourceGroup":"other",
               "properties":{"expressionEvaluationOptions":{"scope":"inner"},"mode":"Incremental",
                 "parameters":{"name":{"value":"[parameters('vaultName')]"}},
                 "template":{"parameters":{"name":{"type":"string"}},"resources":[{"type":"Microsoft.RecoveryServices/vaults","apiVersion":"2023-04-01","name":"[parameters('name')]"}]}}}]}
            """);

        var module = plan.Resources[0];
        Assert.True(module.IsNestedDeployment);
        Assert.Equal($"/subscriptions/{Subscription}/resourceGroups/other/providers/Microsoft.Resources/deployments/module1", module.ResourceId);
        var body = await module.EvaluateBodyAsync(CancellationToken.None);
        Assert.Equal("v9", body["properties"]!["parameters"]!["name"]!["value"]!.GetValue<string>());
        Assert.Equal("[parameters('name')]", body["properties"]!["template"]!["resources"]![0]!["name"]!.GetValue<string>());
    }

    [Fact]
    public void User_defined_functions_see_only_their_own_parameters()
    {
        Assert.Equal("\"pre-x\"", Json(Plan("""
            {"functions":[{"namespace":"__bicep","members":{"prefixed":{"parameters":[{"name":"n","type":"string"}],"output":{"type":"string","value":"[concat('pre-', parameters('n'))]"}}}}],
             "parameters":{"p":{"type":"string","defaultValue":"[__bicep.prefixed('x')]"}}}
            """).Parameters["p"]!["value"]));
    }

    [Fact]
    public async Task The_instances_of_a_loop_evaluate_in_parallel_with_the_same_results_as_one_by_one()
    {
        var plan = Plan("""
            {"resources":[{"type":"Microsoft.RecoveryServices/vaults","apiVersion":"2023-04-01","name":"[format('v{0}', copyIndex())]",
               "copy":{"name":"loop","count":50},
               "properties":{"deep":{"list":[{"index":"[copyIndex()]","tag":"[uniqueString(string(copyIndex()))]"}]}}}]}
            """);

        var bodies = await Task.WhenAll(plan.Resources.Select(r => Task.Run(() => r.EvaluateBodyAsync(CancellationToken.None))));
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)i), bodies.Select(b => b["properties"]!["deep"]!["list"]![0]!["index"]!.GetValue<long>()));
    }

    [Fact]
    public async Task Inside_a_property_loop_an_unnamed_copyIndex_still_means_the_resource_loop()
    {
        var plan = Plan("""
            {"resources":[{"type":"Microsoft.Compute/virtualMachines","apiVersion":"2023-03-01","name":"[format('vm{0}', copyIndex())]","copy":{"name":"vms","count":2},
               "properties":{"copy":[{"name":"disks","count":2,"input":"[format('{0}-{1}', copyIndex(), copyIndex('disks'))]"}]}}]}
            """);

        var second = await plan.Resources[1].EvaluateBodyAsync(CancellationToken.None);
        Assert.Equal("""{"properties":{"disks":["1-0","1-1"]}}""", Json(second));
    }

    [Fact]
    public void List_functions_post_the_action_through_the_reader()
    {
        var reader = new FakeReader();
        var body = Eval("[listKeys(resourceId('Microsoft.Storage/storageAccounts', 'sa1'), '2023-01-01').keys[0].value]", reader);

        Assert.Equal("key-of-sa1", body!.GetValue<string>());
        Assert.Equal([$"POST {Rg}/providers/Microsoft.Storage/storageAccounts/sa1/listKeys"], reader.Calls);
    }

    [Fact]
    public async Task An_outer_scope_nested_template_receives_the_parents_parameters_and_variables()
    {
        var plan = Plan("""
            {"parameters":{"p":{"type":"string","defaultValue":"[[x]"}},"variables":{"v":"[concat(parameters('p'), '-', 'y')]","w":"[parameters('p')]"},
             "resources":[{"type":"Microsoft.Resources/deployments","apiVersion":"2022-09-01","name":"nested",
               "properties":{"mode":"Incremental","template":{"resources":[{"type":"Microsoft.RecoveryServices/vaults","apiVersion":"2023-04-01","name":"[variables('v')]","properties":{"w":"[variables('w')]"}}]}}}]}
            """);

        var inner = (await plan.Resources[0].EvaluateBodyAsync(CancellationToken.None))["properties"]!["template"]!.AsObject();
        var innerPlan = TemplateEngine.Plan(inner, null, Context());
        Assert.Equal("[x]-y", innerPlan.Resources.Single().Name);
        Assert.Equal("[x]", (await innerPlan.Resources.Single().EvaluateBodyAsync(CancellationToken.None))["properties"]!["w"]!.GetValue<string>());
    }

    [Fact]
    public void Deployment_shows_the_template_link_of_a_deployment_made_from_a_uri()
    {
        var context = Context() with { TemplateLink = new Uri("http://127.0.0.1:10000/devstoreaccount1/c/azuredeploy.json") };
        var plan = TemplateEngine.Plan(JsonNode.Parse("""{"parameters":{"base":{"type":"string","defaultValue":"[deployment().properties.templateLink.uri]"}}}""")!.AsObject(), null, context);

        Assert.Equal("http://127.0.0.1:10000/devstoreaccount1/c/azuredeploy.json", plan.Parameters["base"]!["value"]!.GetValue<string>());
    }
}
