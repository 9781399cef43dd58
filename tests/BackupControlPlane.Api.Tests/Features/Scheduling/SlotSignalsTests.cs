using BackupControlPlane.Api.Features.Scheduling;
using Microsoft.Extensions.Time.Testing;

namespace BackupControlPlane.Api.Tests.Features.Scheduling;

/// <summary>run-due's waiters for slot jobs end: when their slot finishes, or when no caller can still be waiting.</summary>
public sealed class SlotSignalsTests
{
    private static readonly DateTimeOffset Slot = new(2026, 1, 1, 2, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_finished_slot_releases_its_waiters_and_is_forgotten()
    {
        var signals = new SlotSignals { ExpiryClock = new FakeTimeProvider() };
        var first = signals.WaitAsync(1, Slot, TimeSpan.FromMinutes(1));
        var second = signals.WaitAsync(1, Slot, TimeSpan.FromMinutes(1));
        Assert.Equal(1, signals.Waiting);
        signals.Completed(1, Slot);
        Assert.True(first.IsCompletedSuccessfully && second.IsCompletedSuccessfully);
        Assert.Equal(0, signals.Waiting);
    }

    [Fact]
    public void A_slot_that_never_finishes_is_forgotten_after_its_last_caller_stopped_waiting()
    {
        var clock = new FakeTimeProvider();
        var signals = new SlotSignals { ExpiryClock = clock };
        // The slot's job failed or was deleted: nobody will ever signal it.
        _ = signals.WaitAsync(1, Slot, TimeSpan.FromMinutes(2));
        clock.Advance(TimeSpan.FromMinutes(1));
        var later = signals.WaitAsync(1, Slot, TimeSpan.FromMinutes(2)); // a second caller extends it
        clock.Advance(TimeSpan.FromMinutes(1.5));
        Assert.Equal(1, signals.Waiting);
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(0, signals.Waiting);
        Assert.False(later.IsCompleted); // never reported finished: run-due answers 202 after its own wait

        // A slot waited for again after that gets a waiter of its own, which its finish still releases.
        var again = signals.WaitAsync(1, Slot, TimeSpan.FromMinutes(2));
        signals.Completed(1, Slot);
        Assert.True(again.IsCompletedSuccessfully);
        Assert.Equal(0, signals.Waiting);
    }
}
