using BackupControlPlane.Api.Infrastructure;

namespace BackupControlPlane.Api.Features.Agents;

/// <summary>
/// How long a goal-state long-poll is held: until the VM's goal state changes, the hold runs out on the
/// <see cref="TransportClock"/> (a transport concern, not emulated time), or the service begins to stop. Stopping
/// answers every held poll at once, so Kestrel has no request left to wait for and agents hear the last goal state
/// instead of a dropped connection.
/// </summary>
public sealed class GoalStateHold(TransportClock transport, IHostApplicationLifetime lifetime)
{
    public async Task WaitAsync(Task changed, TimeSpan hold, CancellationToken ct)
    {
        if (hold <= TimeSpan.Zero) return;
        using var released = CancellationTokenSource.CreateLinkedTokenSource(ct, lifetime.ApplicationStopping);
        await Task.WhenAny(changed, Task.Delay(hold, transport.Time, released.Token));
        // Ends the delay's timer when the change came first. Synchronously: the woken poll goes on on this thread (its
        // goal state is on its way) rather than queueing again behind the callbacks of CancelAsync.
        released.Cancel();
        ct.ThrowIfCancellationRequested();
    }
}
