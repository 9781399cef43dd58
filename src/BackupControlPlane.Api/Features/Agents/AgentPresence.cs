using System.Collections.Concurrent;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.Extensions.Options;

namespace BackupControlPlane.Api.Features.Agents;

/// <summary>
/// Whether a VM's guest agent is Ready: it holds a goal-state long-poll right now, or made a request within the ready
/// window. What this node saw is measured in real time, like the long-poll hold itself: presence is a transport fact,
/// and a test moving the emulated clock by days must not make a connected agent look dead. The heartbeat stored in the
/// database counts too: another node may serve the agent, or this node restarted.
/// </summary>
public sealed class AgentPresence(TimeProvider time, IOptions<EmulatorOptions> options)
{
    private sealed class Seen
    {
        public int Connections;
        public long LastRequest;
    }

    private readonly ConcurrentDictionary<long, Seen> _seen = new();

    public TimeSpan Window => options.Value.AgentReadyWindow ?? options.Value.GoalStateLongPoll * 2 + TimeSpan.FromSeconds(30);

    /// <summary>Marks the agent connected until the returned handle is disposed (the end of its long-poll).</summary>
    public IDisposable Connect(long vmId)
    {
        var seen = Touch(vmId);
        Interlocked.Increment(ref seen.Connections);
        return new Disconnect(() =>
        {
            Interlocked.Decrement(ref seen.Connections);
            Touch(vmId);
        });
    }

    private Seen Touch(long vmId)
    {
        var seen = _seen.GetOrAdd(vmId, _ => new Seen());
        Interlocked.Exchange(ref seen.LastRequest, TimeProvider.System.GetTimestamp());
        return seen;
    }

    /// <summary>Any authenticated agent request counts as a sign of life.</summary>
    public void Heard(long vmId) => Touch(vmId);

    // Either is enough: with several nodes an agent's requests may all have gone to another node lately, which
    // wrote the heartbeat (measured: 1,000 VMs on two nodes, 32 backups refused as Not Ready while heard from 10 s before).
    public bool IsReady(VirtualMachine vm) =>
        (_seen.TryGetValue(vm.Id, out var seen)
            && (Volatile.Read(ref seen.Connections) > 0 || TimeProvider.System.GetElapsedTime(Interlocked.Read(ref seen.LastRequest)) < Window))
        || (vm.AgentLastSeen is { } last && time.GetUtcNow() - last < Window);

    /// <summary>
    /// Not Ready, and past the time a freshly created VM's agent gets to come up: a backup now fails at once with
    /// UserErrorGuestAgentStatusUnavailable instead of waiting for the task timeout.
    /// </summary>
    public bool IsUnavailable(VirtualMachine vm) => !IsReady(vm) && time.GetUtcNow() - vm.CreatedAt >= Window;

    private sealed class Disconnect(Action action) : IDisposable
    {
        private int _done;
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0) action();
        }
    }
}
