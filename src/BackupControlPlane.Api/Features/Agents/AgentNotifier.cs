using System.Collections.Concurrent;

namespace BackupControlPlane.Api.Features.Agents;

/// <summary>
/// Wakes the long-polls of a VM's agent when its goal state changes, so a new task reaches a waiting agent at once
/// without the server re-reading the database in a loop.
/// </summary>
public sealed class AgentNotifier
{
    private readonly ConcurrentDictionary<long, TaskCompletionSource> _signals = new();

    /// <summary>Call before reading the state, then await: a change between the read and the wait is not missed.</summary>
    public Task Subscribe(long vmId) =>
        _signals.GetOrAdd(vmId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Signal(long vmId)
    {
        if (_signals.TryRemove(vmId, out var tcs)) tcs.TrySetResult();
    }
}
