using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Features.Agents;
using BackupControlPlane.Api.Tests.Infrastructure;
using BackupControlPlane.Contracts;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BackupControlPlane.Api.Tests.Features.Agents;

/// <summary>
/// A poll whose hold runs out answers the task-less goal state kept from the VM's last build when the VM is still at its
/// incarnation (issue 22: an idle agent's polls read the VM, its extensions and its tasks again every hold): the same
/// answer a build gives, and a VM gone meanwhile is still told so.
/// </summary>
public sealed class IdleGoalStateTests
{
    [Fact]
    public async Task A_hold_that_runs_out_answers_what_a_build_answers()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = "rg-idle-" + Guid.NewGuid().ToString("N")[..6];
        await app.Arm.PutVmAsync(rg, "vmidle", dataDisks: 0);
        using (var fault = await app.Client.PutAsJsonAsync($"/emulator/agents/{await app.VmIdAsync("vmidle")}/fault", new { mode = "late", seconds = 3 }))
            Assert.Equal(HttpStatusCode.OK, fault.StatusCode);
        using var identity = await app.RegisterAgentAsync("vmidle");
        using var http = app.NewHttpClient();

        var built = await PollAsync(http, identity.Credential!, "?waitSeconds=0");
        var held = await PollAsync(http, identity.Credential!, $"?incarnation={built.Incarnation}&waitSeconds=1");

        Assert.Equal(JsonSerializer.Serialize(built), JsonSerializer.Serialize(held));
        Assert.Equal("late", held.Fault?.Mode);
    }

    [Fact]
    public async Task A_VM_deleted_while_its_poll_is_held_is_told_when_the_hold_runs_out()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = "rg-idle-" + Guid.NewGuid().ToString("N")[..6];
        var name = "vmidlegone" + Guid.NewGuid().ToString("N")[..6];
        await app.Arm.PutVmAsync(rg, name, dataDisks: 0);
        using var identity = await app.RegisterAgentAsync(name);
        using var http = app.NewHttpClient();
        var built = await PollAsync(http, identity.Credential!, "?waitSeconds=0");
        long id;
        await using (var scope = app.Services.CreateAsyncScope())
            id = await scope.ServiceProvider.GetRequiredService<BackupDbContext>().VirtualMachines.Where(v => v.VmId == Guid.Parse(built.VmId)).Select(v => v.Id).SingleAsync();

        var poll = http.SendAsync(As(identity.Credential!, $"{AgentRoutes.GoalState}?incarnation={built.Incarnation}&waitSeconds=10"));
        await Poll.Until(() => Task.FromResult(app.Service<AgentNotifier>().IsWaiting(id)), "the poll held");
        using (var deleted = await app.Arm.SendAsync(HttpMethod.Delete, ArmTestClient.VmPath(rg, name), version: "2024-11-01"))
            Assert.True(deleted.IsSuccessStatusCode);

        using var answer = await poll;
        Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
        Assert.Contains("no longer exists", await answer.Content.ReadAsStringAsync());
    }

    private static HttpRequestMessage As(string credential, string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue(AgentRoutes.Scheme, credential);
        return request;
    }

    private static async Task<AgentGoalState> PollAsync(HttpClient http, string credential, string query)
    {
        using var response = await http.SendAsync(As(credential, AgentRoutes.GoalState + query));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<AgentGoalState>())!;
    }
}
