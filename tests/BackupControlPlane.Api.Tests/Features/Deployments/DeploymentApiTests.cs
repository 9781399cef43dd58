using System.Net;
using System.Text.Json.Nodes;
using BackupControlPlane.Api.Tests.Infrastructure;

namespace BackupControlPlane.Api.Tests.Features.Deployments;

/// <summary>
/// Microsoft.Resources/deployments over HTTP, as az sends it (the template spliced in unquoted, with comments): the
/// run's Azure-AsyncOperation, the deployment and its operations, the actions, and the refusals.
/// </summary>
public sealed class DeploymentApiTests
{
    private const string Version = "2021-04-01";

    private const string Template = """
        {
          // az sends the file as written, comments included
          "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
          "contentVersion": "1.0.0.0",
          "parameters": { "vaultName": { "type": "string" }, "days": { "type": "int", "defaultValue": 10 } },
          "resources": [
            { "type": "Microsoft.RecoveryServices/vaults/backupPolicies", "apiVersion": "2025-02-01", "name": "[concat(parameters('vaultName'), '/p1')]",
              "dependsOn": [ "[resourceId('Microsoft.RecoveryServices/vaults', parameters('vaultName'))]" ],
              "properties": { "backupManagementType": "AzureIaasVM", "timeZone": "UTC",
                "schedulePolicy": { "schedulePolicyType": "SimpleSchedulePolicy", "scheduleRunFrequency": "Daily", "scheduleRunTimes": [ "2024-01-01T03:00:00Z" ] },
                "retentionPolicy": { "retentionPolicyType": "LongTermRetentionPolicy", "dailySchedule": { "retentionTimes": [ "2024-01-01T03:00:00Z" ],
                  "retentionDuration": { "count": "[parameters('days')]", "durationType": "Days" } } } } },
            { "type": "Microsoft.RecoveryServices/vaults", "apiVersion": "2025-02-01", "name": "[parameters('vaultName')]",
              "location": "[resourceGroup().location]", "sku": { "name": "RS0", "tier": "Standard" }, "properties": {} }
          ],
          "outputs": { "policyDays": { "type": "int", "value": "[reference(resourceId('Microsoft.RecoveryServices/vaults/backupPolicies', parameters('vaultName'), 'p1'), '2025-02-01').retentionPolicy.dailySchedule.retentionDuration.count]" } }
        }
        """;

    [Fact]
    public async Task A_spliced_template_deploys_in_dependency_order_and_the_deployment_its_operations_and_actions_answer_as_ARM()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = await GroupAsync(app);
        var path = DeploymentPath(rg, "dep1");
        // az's JsonCTemplatePolicy: its JSON minus the closing "}}", then ", template:" and the raw file.
        var body = "{\"properties\": {\"parameters\": {\"vaultName\": {\"value\": \"depapi\"}}, \"mode\": \"Incremental\", template:" + Template + "}}";
        using var put = await app.Arm.SendAsync(HttpMethod.Put, path, body, Version);
        Assert.True(put.StatusCode == HttpStatusCode.Created, $"PUT answered {(int)put.StatusCode}: {await put.Content.ReadAsStringAsync()}");
        Assert.Equal("Accepted", JsonNode.Parse(await put.Content.ReadAsStringAsync())!["properties"]!["provisioningState"]!.GetValue<string>());
        var status = new Uri(put.Headers.GetValues("Azure-AsyncOperation").Single()).PathAndQuery;
        Assert.Contains("/operationStatuses/", status);
        await Poll.Until(async () => (await app.Arm.GetAsync(status.Split('?')[0], Version))["status"]!.GetValue<string>() is "Succeeded" or "Failed", "the deployment to finish");

        var deployment = await app.Arm.GetAsync(path, Version);
        var properties = deployment["properties"]!;
        Assert.Equal("Succeeded", properties["provisioningState"]!.GetValue<string>());
        Assert.Equal(10, properties["outputs"]!["policyDays"]!["value"]!.GetValue<int>());
        Assert.Equal("depapi", properties["parameters"]!["vaultName"]!["value"]!.GetValue<string>());
        Assert.Equal(2, properties["outputResources"]!.AsArray().Count);
        // Azure's path of a group deployment's operations has no providers segment.
        var operationsPath = $"{ArmTestClient.Rg(rg)}/deployments/dep1/operations";
        var operations = (await app.Arm.GetAsync(operationsPath, Version))["value"]!.AsArray();
        Assert.Equal(["Microsoft.RecoveryServices/vaults", "Microsoft.RecoveryServices/vaults/backupPolicies"],
            operations.Select(o => o!["properties"]!["targetResource"]!["resourceType"]!.GetValue<string>()).Order());
        Assert.All(operations, o => Assert.Equal("Succeeded", o!["properties"]!["provisioningState"]!.GetValue<string>()));
        var one = operations[0]!;
        Assert.Equal(one["operationId"]!.GetValue<string>(), (await app.Arm.GetAsync($"{operationsPath}/{one["operationId"]}", Version))["operationId"]!.GetValue<string>());

        using (var head = await app.Arm.SendAsync(HttpMethod.Head, path, version: Version)) Assert.Equal(HttpStatusCode.NoContent, head.StatusCode);
        Assert.Contains((await app.Arm.GetAsync(DeploymentPath(rg, ""), Version))["value"]!.AsArray(), d => d!["name"]!.GetValue<string>() == "dep1");
        // az deployment group list --filter "provisioningState eq 'Failed'" / --top: honoured, and anything else refused by name.
        Assert.Empty((await app.Arm.GetAsync(DeploymentPath(rg, "") + "?$filter=provisioningState eq 'Failed'", Version))["value"]!.AsArray());
        Assert.Single((await app.Arm.GetAsync(DeploymentPath(rg, "") + "?$filter=provisioningState eq 'Succeeded'&$top=1", Version))["value"]!.AsArray());
        var otherFilter = await ErrorAsync(app, HttpMethod.Get, DeploymentPath(rg, "") + "?$filter=name eq 'dep1'", new { });
        Assert.Equal((HttpStatusCode.BadRequest, "InvalidRequestContent"), (otherFilter.Status, otherFilter.Code));
        Assert.Contains("$filter", otherFilter.Body["error"]!["message"]!.GetValue<string>());
        var zeroTop = await ErrorAsync(app, HttpMethod.Get, DeploymentPath(rg, "") + "?$top=0", new { });
        Assert.Contains("$top", zeroTop.Body["error"]!["message"]!.GetValue<string>());
        using (var export = await app.Arm.SendAsync(HttpMethod.Post, path + "/exportTemplate", version: Version))
            Assert.Equal("1.0.0.0", JsonNode.Parse(await export.Content.ReadAsStringAsync())!["template"]!["contentVersion"]!.GetValue<string>());
        using (var cancel = await app.Arm.SendAsync(HttpMethod.Post, path + "/cancel", version: Version))
            Assert.Contains("DeploymentCannotBeCancelled", await cancel.Content.ReadAsStringAsync());

        using (var delete = await app.Arm.SendAsync(HttpMethod.Delete, path, version: Version)) Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        using var gone = await app.Arm.SendAsync(HttpMethod.Get, path, version: Version);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Contains("DeploymentNotFound", await gone.Content.ReadAsStringAsync());
        // The deployment's record goes; its resources stay, as in Azure.
        await app.Arm.GetAsync(ArmTestClient.VaultPath(rg, "depapi") + "/backupPolicies/p1");
    }

    [Fact]
    public async Task Refusals_name_what_is_wrong()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = await GroupAsync(app);
        var template = JsonNode.Parse(Template, documentOptions: new() { CommentHandling = System.Text.Json.JsonCommentHandling.Skip })!;

        var complete = await ErrorAsync(app, HttpMethod.Put, DeploymentPath(rg, "c"), new { properties = new { mode = "Complete", template, parameters = new { vaultName = new { value = "x" } } } });
        Assert.Equal((HttpStatusCode.BadRequest, "InvalidDeploymentMode"), (complete.Status, complete.Code));
        var link = await ErrorAsync(app, HttpMethod.Put, DeploymentPath(rg, "l"), new { properties = new { mode = "Incremental", templateLink = new { uri = "https://example.com/t.json" } } });
        Assert.Equal((HttpStatusCode.BadRequest, "InvalidContentLink"), (link.Status, link.Code));

        var bad = JsonNode.Parse(template.ToJsonString())!;
        bad["resources"]![1]!["name"] = "[concat(parameters('vaultName'), ]";
        var invalid = await ErrorAsync(app, HttpMethod.Post, DeploymentPath(rg, "v") + "/validate", new { properties = new { mode = "Incremental", template = bad, parameters = new { vaultName = new { value = "x" } } } });
        Assert.Equal((HttpStatusCode.BadRequest, "InvalidTemplate"), (invalid.Status, invalid.Code));
        Assert.Equal("TemplateViolation", invalid.Body["error"]!["additionalInfo"]![0]!["type"]!.GetValue<string>());
        Assert.Contains("resources[1]", invalid.Body["error"]!["additionalInfo"]![0]!["info"]!["path"]!.GetValue<string>());
        var missing = await ErrorAsync(app, HttpMethod.Post, DeploymentPath(rg, "v") + "/validate", new { properties = new { mode = "Incremental", template } });
        Assert.Equal((HttpStatusCode.BadRequest, "InvalidTemplate"), (missing.Status, missing.Code));
        Assert.Contains("vaultName", missing.Body["error"]!["message"]!.GetValue<string>());

        var noGroup = await ErrorAsync(app, HttpMethod.Put, DeploymentPath("rg-nodep-" + Guid.NewGuid().ToString("N")[..6], "n"), new { properties = new { mode = "Incremental", template } });
        Assert.Equal((HttpStatusCode.NotFound, "ResourceGroupNotFound"), (noGroup.Status, noGroup.Code));
    }

    [Fact]
    public async Task A_subscription_scope_deployment_creates_a_resource_group_and_a_vault_in_it_through_a_nested_deployment()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = "rg-depsub-" + Guid.NewGuid().ToString("N")[..6];
        var template = new JsonObject
        {
            ["$schema"] = "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#",
            ["contentVersion"] = "1.0.0.0",
            ["resources"] = new JsonArray(
                new JsonObject { ["type"] = "Microsoft.Resources/resourceGroups", ["apiVersion"] = "2021-04-01", ["name"] = rg, ["location"] = "westeurope" },
                new JsonObject
                {
                    ["type"] = "Microsoft.Resources/deployments", ["apiVersion"] = "2021-04-01", ["name"] = "inner", ["resourceGroup"] = rg,
                    ["dependsOn"] = new JsonArray($"[subscriptionResourceId('Microsoft.Resources/resourceGroups', '{rg}')]"),
                    ["properties"] = new JsonObject
                    {
                        ["mode"] = "Incremental", ["expressionEvaluationOptions"] = new JsonObject { ["scope"] = "inner" },
                        ["template"] = new JsonObject
                        {
                            ["$schema"] = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", ["contentVersion"] = "1.0.0.0",
                            ["resources"] = new JsonArray(new JsonObject
                            {
                                ["type"] = "Microsoft.RecoveryServices/vaults", ["apiVersion"] = "2025-02-01", ["name"] = "subvault",
                                ["location"] = "[resourceGroup().location]", ["sku"] = new JsonObject { ["name"] = "RS0", ["tier"] = "Standard" }, ["properties"] = new JsonObject(),
                            }),
                        },
                    },
                }),
        };
        var path = $"/subscriptions/{ArmTestClient.Sub}/providers/Microsoft.Resources/deployments/sub-{rg}";
        using var put = await app.Arm.SendAsync(HttpMethod.Put, path, new { location = "westeurope", properties = new { mode = "Incremental", template } }, Version);
        Assert.True(put.StatusCode == HttpStatusCode.Created, $"PUT answered {(int)put.StatusCode}: {await put.Content.ReadAsStringAsync()}");
        await Poll.Until(async () => (await app.Arm.GetAsync(path, Version))["properties"]!["provisioningState"]!.GetValue<string>() is "Succeeded" or "Failed", "the deployment to finish");

        var deployment = await app.Arm.GetAsync(path, Version);
        Assert.True(deployment["properties"]!["provisioningState"]!.GetValue<string>() == "Succeeded", deployment.ToJsonString());
        Assert.Equal("westeurope", deployment["location"]!.GetValue<string>());
        Assert.Equal("westeurope", (await app.Arm.GetAsync(ArmTestClient.Rg(rg), Version))["location"]!.GetValue<string>());
        Assert.Equal("westeurope", (await app.Arm.GetAsync(ArmTestClient.VaultPath(rg, "subvault")))["location"]!.GetValue<string>());
        var inner = await app.Arm.GetAsync(DeploymentPath(rg, "inner"), Version);
        Assert.Equal("Succeeded", inner["properties"]!["provisioningState"]!.GetValue<string>());
    }

    private static string DeploymentPath(string rg, string name) =>
        $"{ArmTestClient.Rg(rg)}/providers/Microsoft.Resources/deployments" + (name.Length > 0 ? "/" + name : "");

    private static async Task<string> GroupAsync(EmulatorApp app)
    {
        var rg = "rg-dep-" + Guid.NewGuid().ToString("N")[..6];
        using var group = await app.Arm.SendAsync(HttpMethod.Put, ArmTestClient.Rg(rg), new { location = "eastus" }, Version);
        Assert.True(group.IsSuccessStatusCode);
        return rg;
    }

    private static async Task<(HttpStatusCode Status, string Code, JsonNode Body)> ErrorAsync(EmulatorApp app, HttpMethod method, string path, object body)
    {
        using var response = await app.Arm.SendAsync(method, path, body, Version);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        return (response.StatusCode, json["error"]?["code"]?.GetValue<string>() ?? json.ToJsonString(), json);
    }
}
