using System.Collections.Concurrent;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.Extensions.Options;

namespace BackupControlPlane.Api.Features.Agents;

/// <summary>
/// Whether a VM's guest agent is Ready: it holds a goal-state long-poll right now, or made a request within the ready
/// window, on this node or (the heartbeat stored in the database) on another one. Measured on the
/// <see cref="TransportClock"/>, like the long-poll hold itself: presence is a transport fact, and a test moving the
/// emulated clock by days must not make a connected agent look dead. Only the "has the VM had time to boot" grace
/// follows the emulated clock, because the VM's creation time is emulated.
/// </summary>
public sealed class AgentPresence(TimeProvider time, TransportClock transport, IOptions<EmulatorOptions> options)
{
    private sealed class Seen
    {
        public int Connections;
        public long LastRequest;
        /// <summary>Swept out of the map; a late toucher adds a fresh entry instead.</summary>
        public bool Forgotten;
    }

    // One entry per VM heard from within the window; older ones are swept (deleted VMs, agents gone for good).
    private readonly ConcurrentDictionary<long, Seen> _seen = new();
    private long _lastSweep;

    private TimeProvider Clock => transport.Time;

    public TimeSpan Window => options.Value.AgentReadyWindow ?? options.Value.GoalStateLongPoll * 2 + TimeSpan.FromSeconds(30);

    /// <summary>How many VMs this node remembers hearing from: bounded by those heard from within the window.</summary>
    public int Remembered => _seen.Count;

    /// <summary>Marks the agent connected until the returned handle is disposed (the end of its long-poll).</summary>
    public IDisposable Connect(long vmId)
    {
        Touch(vmId, +1);
        return new Disconnect(() => Touch(vmId, -1));
    }

    /// <summary>Any authenticated agent request counts as a sign of life.</summary>
    public void Heard(long vmId) => Touch(vmId, 0);

    private void Touch(long vmId, int connections)
    {
        SweepIfDue();
        while (true)
        {
            var seen = _seen.GetOrAdd(vmId, _ => new Seen());
            lock (seen)
            {
                if (seen.Forgotten) continue;
                seen.Connections += connections;
                seen.LastRequest = Clock.GetTimestamp();
                return;
            }
        }
    }

    // Either is enough: with several nodes an agent's requests may all have gone to another node lately, which
    // wrote the heartbeat (measured: 1,000 VMs on two nodes, 32 backups refused as Not Ready while heard from 10 s before).
    public bool IsReady(VirtualMachine vm) => IsReady(vm.Id, vm.AgentLastSeen);

    public bool IsReady(long vmId, DateTimeOffset? agentLastSeen) =>
        HeardLately(vmId) || (agentLastSeen is { } last && Clock.GetUtcNow() - last < Window);

    private bool HeardLately(long vmId)
    {
        if (!_seen.TryGetValue(vmId, out var seen)) return false;
        lock (seen) return seen.Connections > 0 || Clock.GetElapsedTime(seen.LastRequest) < Window;
    }

    /// <summary>
    /// Not Ready, and past the time a freshly created VM's agent gets to come up: a backup now fails at once with
    /// UserErrorGuestAgentStatusUnavailable instead of waiting for the task timeout.
    /// </summary>
    public bool IsUnavailable(VirtualMachine vm) => !IsReady(vm) && time.GetUtcNow() - vm.CreatedAt >= Window;

    /// <summary>At most once a window, forgets the VMs not heard from within it: they would not count as Ready anyway.</summary>
    private void SweepIfDue()
    {
        var now = Clock.GetTimestamp();
        var last = Interlocked.Read(ref _lastSweep);
        if (last != 0 && Clock.GetElapsedTime(last, now) < Window) return;
        if (Interlocked.CompareExchange(ref _lastSweep, now, last) != last) return; // another request sweeps
        foreach (var (vmId, seen) in _seen)
        {
            lock (seen)
            {
                if (seen.Connections > 0 || Clock.GetElapsedTime(seen.LastRequest, now) < Window) continue;
                seen.Forgotten = true;
                _seen.TryRemove(KeyValuePair.Create(vmId, seen));
            }
        }
    }

    private sealed class Disconnect(Action action) : IDisposable
    {
        private int _done;
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0) action();
        }
    }
}
