using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BackupControlPlane.Api.Tests.Infrastructure;
using BackupControlPlane.Contracts;

namespace BackupControlPlane.Api.Tests.Features.Agents;

/// <summary>An agent sees only its own VM's tasks and reports only its own tasks.</summary>
public sealed class AgentSecurityTests
{
    private static HttpRequestMessage As(string? key, HttpMethod method, string path, object? body = null)
    {
        var r = new HttpRequestMessage(method, path);
        if (key is not null) r.Headers.Authorization = new AuthenticationHeaderValue("VmAgent", key);
        if (body is not null) r.Content = JsonContent.Create(body);
        return r;
    }

    [Fact]
    public async Task Agents_are_confined_to_their_own_VM()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = "rg-sec-" + Guid.NewGuid().ToString("N")[..6];
        await app.Arm.ProtectedVmAsync(rg, "vault1", "vma");
        await app.Arm.PutVmAsync(rg, "vmb");
        (await app.Arm.EnableProtectionAsync(rg, "vault1", "vmb")).Dispose();
        await app.Arm.RunDueAsync(rg);
        var keyA = await app.AgentKeyAsync("vma");
        var keyB = await app.AgentKeyAsync("vmb");
        using var http = app.NewHttpClient();

        // No credential, a forged one, a tampered one: 401 with ProblemDetails.
        foreach (var bad in new string?[] { null, "nonsense", keyA[..^2] + (keyA[^1] == 'A' ? "BB" : "AA"), keyA.Split('.')[0] + "." + keyB.Split('.')[1] })
        {
            using var r = await http.SendAsync(As(bad, HttpMethod.Get, AgentRoutes.GoalState + "?waitSeconds=0"));
            Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
            Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        }

        // A's goal state holds A's task only.
        using var goalA = await http.SendAsync(As(keyA, HttpMethod.Get, AgentRoutes.GoalState + "?waitSeconds=0"));
        var stateA = (await goalA.Content.ReadFromJsonAsync<AgentGoalState>())!;
        using var goalB = await http.SendAsync(As(keyB, HttpMethod.Get, AgentRoutes.GoalState + "?waitSeconds=0"));
        var stateB = (await goalB.Content.ReadFromJsonAsync<AgentGoalState>())!;
        var taskA = stateA.Extensions.Single().PublicSettings!.TaskId;
        var taskB = stateB.Extensions.Single().PublicSettings!.TaskId;
        Assert.NotEqual(taskA, taskB);
        Assert.DoesNotContain(ObjectStr.Decode(stateA.Extensions.Single().ProtectedSettings!.ObjectStr), u => stateB.VmId.Replace("-", "") is var b && u.Contains(b));

        // A reporting B's task: 403, and B's job is untouched.
        using var cross = await http.SendAsync(As(keyA, HttpMethod.Post, AgentRoutes.TaskStatus.Replace("{taskId}", taskB), new TaskStatusReport("error", 2, "hostile")));
        Assert.Equal(HttpStatusCode.Forbidden, cross.StatusCode);
        var jobs = (await app.Arm.GetAsync(ArmTestClient.VaultPath(rg, "vault1") + "/backupJobs?$filter=" + Uri.EscapeDataString("operation eq 'Backup'")))["value"]!.AsArray();
        Assert.All(jobs, j => Assert.Equal("InProgress", j!["properties"]!["status"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_waiting_agent_receives_a_new_task_without_waiting_for_its_poll_to_time_out()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = "rg-wake-" + Guid.NewGuid().ToString("N")[..6];
        await app.Arm.ProtectedVmAsync(rg, "vault1", "vmwake");
        var key = await app.AgentKeyAsync("vmwake");
        using var http = app.NewHttpClient();
        using var first = await http.SendAsync(As(key, HttpMethod.Get, AgentRoutes.GoalState + "?waitSeconds=0"));
        var incarnation = (await first.Content.ReadFromJsonAsync<AgentGoalState>())!.Incarnation;

        // Hold for up to 120 s; the answer must come as soon as run-due creates the task.
        var started = DateTime.UtcNow;
        var poll = http.SendAsync(As(key, HttpMethod.Get, $"{AgentRoutes.GoalState}?incarnation={incarnation}&waitSeconds=120"));
        await app.Arm.RunDueAsync(rg);
        using var answer = await poll.WaitAsync(TimeSpan.FromSeconds(60));
        var state = (await answer.Content.ReadFromJsonAsync<AgentGoalState>())!;
        Assert.True(state.Incarnation > incarnation);
        Assert.NotNull(state.Extensions.Single().ProtectedSettings);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task The_fleet_route_and_run_due_refuse_non_local_callers()
    {
        var filter = BackupControlPlane.Api.Features.Agents.AgentEndpoints.LocalOnly;
        var http = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        http.Connection.RemoteIpAddress = IPAddress.Parse("10.1.2.3");
        var called = false;
        var result = await filter(new Microsoft.AspNetCore.Http.DefaultEndpointFilterInvocationContext(http), _ => { called = true; return ValueTask.FromResult<object?>(null); });
        Assert.False(called);
        Assert.IsAssignableFrom<Microsoft.AspNetCore.Http.IStatusCodeHttpResult>(result);
        Assert.Equal(403, ((Microsoft.AspNetCore.Http.IStatusCodeHttpResult)result!).StatusCode);
    }
}
