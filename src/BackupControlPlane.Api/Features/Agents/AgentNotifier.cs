using System.Collections.Concurrent;
using System.Globalization;
using BackupControlPlane.Api.Infrastructure;

namespace BackupControlPlane.Api.Features.Agents;

/// <summary>
/// Wakes the long-polls of a VM's agent when its goal state changes, so a new task reaches a waiting agent at once
/// without the server re-reading the database in a loop. With several nodes (PostgreSQL) a signal also reaches the
/// node holding the agent's poll, through <see cref="IClusterSignals"/>.
/// </summary>
public sealed class AgentNotifier
{
    private const string Topic = "agent";
    private readonly ConcurrentDictionary<long, TaskCompletionSource> _signals = new();
    private readonly IClusterSignals? _cluster;

    public AgentNotifier(IClusterSignals? cluster = null)
    {
        _cluster = cluster;
        cluster?.Subscribe(Topic, vmId =>
        {
            if (vmId is null) SignalAllLocal();
            else if (long.TryParse(vmId, NumberStyles.None, CultureInfo.InvariantCulture, out var id)) SignalLocal(id);
        });
    }

    /// <summary>Call before reading the state, then await: a change between the read and the wait is not missed.</summary>
    public Task Subscribe(long vmId) =>
        _signals.GetOrAdd(vmId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>Call after the change is committed.</summary>
    public void Signal(long vmId)
    {
        SignalLocal(vmId);
        _cluster?.Publish(Topic, vmId.ToString(CultureInfo.InvariantCulture));
    }

    private void SignalLocal(long vmId)
    {
        if (_signals.TryRemove(vmId, out var tcs)) tcs.TrySetResult();
    }

    private void SignalAllLocal()
    {
        foreach (var vmId in _signals.Keys) SignalLocal(vmId);
    }
}
