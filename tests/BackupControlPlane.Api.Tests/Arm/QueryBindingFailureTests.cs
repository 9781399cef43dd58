using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using BackupControlPlane.Api.Tests.Infrastructure;
using BackupControlPlane.Contracts;

namespace BackupControlPlane.Api.Tests.Arm;

/// <summary>
/// A query value that does not parse into a route's optional parameter is refused the way the runtime's binding refuses
/// it: 400 in the route family's error shape, "Failed to bind parameter" naming the parameter and the value. The
/// Request Delegate Generator would answer these with an empty 400 (Infrastructure/RuntimeBoundRoutes says why), so
/// every route with such a parameter is here. The texts are the runtime's own (its type names: Nullable&lt;int&gt;, not int?).
/// </summary>
public sealed class QueryBindingFailureTests
{
    private const string Resources = "2021-04-01";
    private static readonly string Rg = ArmTestClient.Rg("rg-binding");

    [Theory]
    [InlineData("/subscriptions/" + ArmTestClient.Sub + "/resources?$top=abc", "Nullable<int> Top")]
    [InlineData("/resources?$top=abc", "Nullable<int> Top")]
    [InlineData("/subscriptions/" + ArmTestClient.Sub + "/resourcegroups?$top=abc", "Nullable<int> Top")]
    [InlineData("/subscriptions/" + ArmTestClient.Sub + "/providers/Microsoft.Resources/deployments?$top=abc", "Nullable<int> top")]
    [InlineData("/providers/Microsoft.Resources/deployments?$top=abc", "Nullable<int> top")]
    [InlineData("/subscriptions/" + ArmTestClient.Sub + "/providers/Microsoft.Resources/deployments/d1/operations?$top=abc", "Nullable<int> top")]
    [InlineData("/deployments/d1/operations?$top=abc", "Nullable<int> top")]
    public async Task An_ARM_query_value_that_does_not_parse_gets_ARMs_error_naming_it(string path, string parameter)
    {
        var app = await EmulatorApp.SharedAsync();
        using var response = await app.Arm.SendAsync(HttpMethod.Get, path.StartsWith("/subscriptions") ? path : Rg + path, version: Resources);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
        var error = JsonNode.Parse(text)!["error"]!;
        Assert.Equal("InvalidRequestContent", error["code"]!.GetValue<string>());
        Assert.Equal($"Failed to bind parameter \"{parameter}\" from \"abc\".", error["message"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("/emulator/reset?regenerateCa=maybe", "bool regenerateCa", "maybe")]
    [InlineData("/emulator/scheduler/run-due?resourceGroup=rg-binding&until=notadate", "Nullable<DateTimeOffset> until", "notadate")]
    public async Task An_emulator_query_value_that_does_not_parse_gets_ProblemDetails_naming_it(string path, string parameter, string value)
    {
        var app = await EmulatorApp.SharedAsync();
        using var response = await app.Client.PostAsync(path, null);
        await AssertProblem(response, parameter, value);
    }

    [Fact]
    public async Task An_agents_goal_state_query_value_that_does_not_parse_gets_ProblemDetails_naming_it()
    {
        var app = await EmulatorApp.SharedAsync();
        var vm = "vmbinding" + Guid.NewGuid().ToString("N")[..6]; // the shared app finds agents by VM name: one no other test uses
        await app.Arm.PutVmAsync("rg-binding", vm);
        using var agent = await app.RegisterAgentAsync(vm);
        using var http = app.NewHttpClient();
        foreach (var (query, parameter, value) in new[] { ("waitSeconds=abc", "Nullable<int> waitSeconds", "abc"), ("incarnation=abc&waitSeconds=0", "long incarnation", "abc") })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, AgentRoutes.GoalState + "?" + query);
            request.Headers.Authorization = new AuthenticationHeaderValue("VmAgent", agent.Credential);
            using var response = await http.SendAsync(request);
            await AssertProblem(response, parameter, value);
        }
    }

    private static async Task AssertProblem(HttpResponseMessage response, string parameter, string value)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"Failed to bind parameter \"{parameter}\" from \"{value}\".", JsonNode.Parse(text)!["detail"]!.GetValue<string>());
    }
}
