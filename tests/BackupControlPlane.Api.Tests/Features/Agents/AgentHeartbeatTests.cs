using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Tests.Infrastructure;
using BackupControlPlane.Contracts;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BackupControlPlane.Api.Tests.Features.Agents;

/// <summary>
/// A goal-state poll no longer writes its heartbeat itself (issue 22: a write turn per poll); it notes it, and
/// AgentHeartbeats stores it for every node's presence to read.
/// </summary>
public sealed class AgentHeartbeatTests
{
    [Fact]
    public async Task The_heartbeats_of_polls_arriving_together_are_all_stored()
    {
        var app = await EmulatorApp.SharedAsync();
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var rg = "rg-beat-" + suffix;
        var names = Enumerable.Range(0, 8).Select(i => $"vmbeat{i}-{suffix}").ToList();
        foreach (var name in names) await app.Arm.PutVmAsync(rg, name, dataDisks: 0);
        var identities = await Task.WhenAll(names.Select(n => app.RegisterAgentAsync(n)));
        using var http = app.NewHttpClient();

        await Task.WhenAll(identities.Select(async identity =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, AgentRoutes.GoalState + "?waitSeconds=0");
            request.Headers.Authorization = new(AgentRoutes.Scheme, identity.Credential);
            using var response = await http.SendAsync(request);
            response.EnsureSuccessStatusCode();
        }));

        await Poll.Until(async () =>
        {
            await using var scope = app.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<BackupDbContext>();
            return await db.VirtualMachines.CountAsync(v => v.ResourceGroup == rg && v.AgentLastSeen != null) == names.Count;
        }, "every polling VM's stored heartbeat");
        foreach (var identity in identities) identity.Dispose();
    }
}
