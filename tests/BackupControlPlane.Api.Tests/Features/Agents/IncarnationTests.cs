using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BackupControlPlane.Agent;
using BackupControlPlane.Api.Tests.Infrastructure;
using BackupControlPlane.Contracts;

namespace BackupControlPlane.Api.Tests.Features.Agents;

/// <summary>A waiting agent learns of every change to its goal state: concurrent changes never share an incarnation.</summary>
public sealed class IncarnationTests
{
    [Fact]
    public async Task Faults_and_registrations_landing_at_once_each_move_the_VMs_incarnation()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = "rg-inc-" + Guid.NewGuid().ToString("N")[..6];
        await app.Arm.PutVmAsync(rg, "vminc", dataDisks: 0);
        var before = await IncarnationAsync(app);
        var faultPath = $"/emulator/agents/{await app.VmIdAsync("vminc")}/fault";

        var faults = Enumerable.Range(1, 10).Select(async n =>
        {
            using var response = await app.Client.PutAsJsonAsync(faultPath, new { mode = "late", seconds = n });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return (await response.Content.ReadFromJsonAsync<JsonObject>())!["serial"]!.GetValue<long>();
        }).ToList();
        var registrations = Enumerable.Range(0, 5).Select(_ => app.RegisterAgentAsync("vminc")).ToList();
        var serials = await Task.WhenAll(faults);
        foreach (var identity in await Task.WhenAll(registrations)) identity.Dispose();

        Assert.Equal(10, serials.Distinct().Count()); // each fault is told apart by the agent
        // Ten faults, five registrations, and the registration that reads the goal state now: not one change lost.
        Assert.Equal(before + 16, await IncarnationAsync(app));
    }

    private static async Task<long> IncarnationAsync(EmulatorApp app)
    {
        using var identity = await app.RegisterAgentAsync("vminc");
        using var http = app.NewHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, AgentRoutes.GoalState + "?waitSeconds=0");
        request.Headers.Authorization = new(AgentRoutes.Scheme, identity.Credential);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<AgentGoalState>())!.Incarnation;
    }
}
