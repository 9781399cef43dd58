using System.Diagnostics.Metrics;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Infrastructure.Telemetry;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Agents;

/// <summary>
/// The gauges read from this app's state when metrics are collected (a scrape of /metrics, an OTLP export): VM agents
/// Ready and Not Ready (as backups judge them, <see cref="AgentPresence"/>) and agent tasks in flight by state. One
/// query each per collection; nothing is computed while no exporter listens.
/// </summary>
public sealed class AgentGauges : IHostedService, IDisposable
{
    private readonly Meter _meter;
    private readonly IServiceScopeFactory _scopes;
    private readonly AgentPresence _presence;

    public AgentGauges(IMeterFactory meters, IServiceScopeFactory scopes, AgentPresence presence)
    {
        _scopes = scopes;
        _presence = presence;
        _meter = meters.Create(BcpTelemetry.Name);
        _meter.CreateObservableGauge("bcp.agents", Agents, "{agent}", "VM guest agents by state: Ready (heard from within the ready window) or NotReady.");
        _meter.CreateObservableGauge("bcp.agent_tasks.in_flight", Tasks, "{task}", "Agent tasks not yet settled, by state (Pending, Transitioning, Transferring).");
    }

    private IEnumerable<Measurement<long>> Agents()
    {
        using var scope = _scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<BackupDbContext>();
        var vms = db.VirtualMachines.AsNoTracking().Select(v => new { v.Id, v.AgentLastSeen }).ToList();
        var ready = vms.Count(v => _presence.IsReady(v.Id, v.AgentLastSeen));
        return [new(ready, new KeyValuePair<string, object?>("state", "Ready")), new(vms.Count - ready, new KeyValuePair<string, object?>("state", "NotReady"))];
    }

    private IEnumerable<Measurement<long>> Tasks()
    {
        using var scope = _scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<BackupDbContext>();
        var counts = db.AgentTasks.AsNoTracking()
            .Where(t => t.State == AgentTaskStates.Pending || t.State == AgentTaskStates.Transitioning || t.State == AgentTaskStates.Transferring)
            .GroupBy(t => t.State).Select(g => new { State = g.Key, Count = g.LongCount() }).ToDictionary(g => g.State, g => g.Count);
        return new[] { AgentTaskStates.Pending, AgentTaskStates.Transitioning, AgentTaskStates.Transferring }
            .Select(s => new Measurement<long>(counts.GetValueOrDefault(s), new KeyValuePair<string, object?>("state", s)));
    }

    // A hosted service only so that the gauges exist from the start.
    public Task StartAsync(CancellationToken ct) => Task.CompletedTask;

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;

    public void Dispose() => _meter.Dispose();
}
