using System.Collections.Concurrent;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Contracts;

namespace BackupControlPlane.Api.Features.Agents;

/// <summary>
/// Each VM's last goal state built without a task, by incarnation: what a held poll whose hold ran out answers when the
/// VM is still at that incarnation, instead of reading the VM, its extensions and its tasks again (issue 22: an idle
/// agent polls every hold, so in a round of N VMs those reads grew with N × the round's length and were the largest
/// part of the service's CPU per VM at 10,000). Exact: everything a task-less goal state holds (extensions, fault) changes
/// with a new incarnation, and a new task bumps it too (Data/VmIncarnation). Per node; bounded: past
/// <see cref="Capacity"/> VMs it starts again empty.
/// </summary>
public sealed class IdleGoalStates
{
    private const int Capacity = 20_000;
    private readonly ConcurrentDictionary<long, (Guid VmId, AgentGoalState Goal)> _byVm = new();

    /// <summary>Keeps <paramref name="goal"/>, built from the database with no active task for the VM.</summary>
    public void Remember(VirtualMachine vm, AgentGoalState goal)
    {
        if (_byVm.Count >= Capacity) _byVm.Clear();
        _byVm[vm.Id] = (vm.VmId, goal);
    }

    /// <summary>The task-less goal state kept for this VM (row id and vmId, as the row ids of a reset database repeat), if any.</summary>
    public AgentGoalState? Of(VirtualMachine vm) =>
        _byVm.TryGetValue(vm.Id, out var kept) && kept.VmId == vm.VmId ? kept.Goal : null;
}
