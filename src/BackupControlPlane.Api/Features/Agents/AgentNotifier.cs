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

/// <summary>An agent is Ready while it has polled recently; heartbeats are its long-polls.</summary>
public sealed class AgentPresence(TimeProvider time, Microsoft.Extensions.Options.IOptions<Infrastructure.EmulatorOptions> options)
{
    public TimeSpan Window => options.Value.GoalStateLongPoll * 2 + TimeSpan.FromSeconds(30);

    public bool IsReady(Data.VirtualMachine vm) => vm.AgentLastSeen is { } seen && time.GetUtcNow() - seen < Window;
}
