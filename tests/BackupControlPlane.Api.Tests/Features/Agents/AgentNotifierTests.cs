using BackupControlPlane.Api.Features.Agents;
using BackupControlPlane.Contracts;

namespace BackupControlPlane.Api.Tests.Features.Agents;

/// <summary>Wake-ups reach every poll waiting on the VM, and nothing stays behind once no poll waits.</summary>
public sealed class AgentNotifierTests
{
    [Fact]
    public async Task A_signal_wakes_every_waiting_poll_of_its_VM_only_and_is_consumed()
    {
        var notifier = new AgentNotifier();
        using var first = notifier.Subscribe(1);
        using var second = notifier.Subscribe(1);
        using var other = notifier.Subscribe(2);

        notifier.Signal(1);
        await first.Changed.WaitAsync(TimeSpan.FromSeconds(30));
        await second.Changed.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(other.Changed.IsCompleted);
        Assert.Equal(1, notifier.Waiting); // VM 1's entry went with the signal

        using var next = notifier.Subscribe(1); // a poll after the signal waits for the next change
        Assert.False(next.Changed.IsCompleted);
        notifier.Signal(1);
        await next.Changed.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void Polls_that_end_without_a_change_leave_nothing_behind()
    {
        var notifier = new AgentNotifier();
        // A thousand VMs whose polls all time out (their goal state never changes; or the VMs were deleted).
        var polls = Enumerable.Range(1, 1000).SelectMany(vm => new[] { notifier.Subscribe(vm), notifier.Subscribe(vm) }).ToList();
        Assert.Equal(1000, notifier.Waiting);

        foreach (var poll in polls.Where((_, i) => i % 2 == 0)) poll.Dispose();
        Assert.Equal(1000, notifier.Waiting); // each VM still has a poll waiting
        foreach (var poll in polls) poll.Dispose(); // disposing twice is harmless
        Assert.Equal(0, notifier.Waiting);

        // A VM whose waiters all left still gets its next poll woken.
        using var again = notifier.Subscribe(7);
        notifier.Signal(7);
        Assert.True(again.Changed.IsCompleted);
        Assert.Equal(0, notifier.Waiting);
    }

    [Fact]
    public async Task A_goal_state_carried_by_a_signal_reaches_only_the_polls_it_woke()
    {
        var notifier = new AgentNotifier();
        using var waiting = notifier.Subscribe(1);
        using var other = notifier.Subscribe(2);
        var prepared = new PreparedGoalState(new AgentGoalState(5, Guid.NewGuid().ToString(), []), Guid.NewGuid());

        notifier.Signal(1, prepared);
        await waiting.Changed.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Same(prepared, waiting.Prepared);
        Assert.Null(other.Prepared); // another VM's poll, not woken: nothing
        using var later = notifier.Subscribe(1); // a poll after the signal reads its own
        Assert.Null(later.Prepared);
        notifier.Signal(1); // a signal without one (a fault set, a timeout's re-offer): the poll reads the database
        await later.Changed.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Null(later.Prepared);
    }
}
