using System.Collections.Concurrent;
using System.Globalization;
using BackupControlPlane.Api.Infrastructure;
using BackupControlPlane.Contracts;

namespace BackupControlPlane.Api.Features.Agents;

/// <summary>
/// Wakes the long-polls of a VM's agent when its goal state changes, so a new task reaches a waiting agent at once
/// without the server re-reading the database in a loop. With several nodes (PostgreSQL) a signal also reaches the
/// node holding the agent's poll, through <see cref="IClusterSignals"/>. A VM has an entry only while a poll waits on
/// it: a signal consumes it, and the last waiter to leave removes it, so VMs that stopped polling (deleted, agent gone)
/// leave nothing behind.
/// </summary>
public sealed class AgentNotifier
{
    private const string Topic = "agent";
    private readonly ConcurrentDictionary<long, Waiters> _signals = new();
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

    /// <summary>How many VMs have a poll waiting for a change: bounded by the polls held right now.</summary>
    public int Waiting => _signals.Count;

    /// <summary>
    /// Whether a poll of this VM's agent waits on this node right now: a task committed now reaches it at once. False
    /// when the poll is held by another node (PostgreSQL), or none is held.
    /// </summary>
    public bool IsWaiting(long vmId) => _signals.ContainsKey(vmId);

    /// <summary>
    /// Call before reading the state, then await <see cref="Subscription.Changed"/>: a change between the read and the
    /// wait is not missed. Dispose the subscription when the poll ends.
    /// </summary>
    public Subscription Subscribe(long vmId)
    {
        while (true)
        {
            var waiters = _signals.GetOrAdd(vmId, _ => new Waiters());
            lock (waiters)
            {
                if (waiters.Ended) continue; // signalled or abandoned just now: its successor is the one to wait on
                waiters.Count++;
                return new Subscription(this, vmId, waiters);
            }
        }
    }

    /// <summary>
    /// Call after the change is committed. <paramref name="prepared"/>: the VM's goal state as committed, composed by the
    /// writer from the rows it holds; the polls woken here answer with it instead of reading the database again. Polls
    /// on other nodes are woken with the VM's id only and read their own (the goal state must come from the database there).
    /// </summary>
    public void Signal(long vmId, PreparedGoalState? prepared = null)
    {
        SignalLocal(vmId, prepared);
        _cluster?.Publish(Topic, vmId.ToString(CultureInfo.InvariantCulture));
    }

    private void SignalLocal(long vmId, PreparedGoalState? prepared = null)
    {
        if (!_signals.TryRemove(vmId, out var waiters)) return;
        lock (waiters)
        {
            waiters.Ended = true;
            waiters.Prepared = prepared;
        }
        waiters.Changed.TrySetResult();
    }

    private void SignalAllLocal()
    {
        foreach (var vmId in _signals.Keys) SignalLocal(vmId);
    }

    private void Leave(long vmId, Waiters waiters)
    {
        lock (waiters)
        {
            if (--waiters.Count > 0 || waiters.Ended) return;
            waiters.Ended = true;
            _signals.TryRemove(KeyValuePair.Create(vmId, waiters));
        }
    }

    internal sealed class Waiters
    {
        public readonly TaskCompletionSource Changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Count;
        public bool Ended;
        public PreparedGoalState? Prepared;
    }

    /// <summary>One poll's wait for a change of its VM's goal state.</summary>
    public sealed class Subscription : IDisposable
    {
        private readonly AgentNotifier _owner;
        private readonly long _vmId;
        private readonly Waiters _waiters;
        private int _disposed;

        internal Subscription(AgentNotifier owner, long vmId, Waiters waiters)
        {
            _owner = owner;
            _vmId = vmId;
            _waiters = waiters;
        }

        /// <summary>Completes when the goal state changes after the subscription was taken.</summary>
        public Task Changed => _waiters.Changed.Task;

        /// <summary>
        /// The goal state the signal that completed <see cref="Changed"/> carried (<see cref="Signal"/>), if any: this VM's,
        /// as committed then. Null before <see cref="Changed"/> completes, or when the signal carried none.
        /// </summary>
        public PreparedGoalState? Prepared
        {
            get
            {
                if (!_waiters.Changed.Task.IsCompleted) return null;
                lock (_waiters) return _waiters.Prepared;
            }
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) _owner.Leave(_vmId, _waiters);
        }
    }
}

/// <summary>A VM's goal state composed by the writer that committed it (<see cref="AgentNotifier.Signal"/>), and the task it hands out, if any.</summary>
public sealed record PreparedGoalState(AgentGoalState Goal, Guid? Task);
