namespace BackupControlPlane.Api.Infrastructure;

/// <summary>
/// The clock of the wire, kept apart from the emulated <see cref="TimeProvider"/>: how long a goal-state poll is held,
/// whether an agent counts as Ready, and how long the service's own TLS certificate is valid for clients. These follow
/// real time whatever the emulated clock says, so a test can move the emulated clock by days (expiring tasks, tokens
/// and recovery points) without making a connected agent look dead, and move this one on its own to age an agent's
/// presence without touching anything the emulator records. Real time in the service; tests replace it.
/// </summary>
public sealed class TransportClock(TimeProvider time)
{
    public static TransportClock System { get; } = new(TimeProvider.System);

    public TimeProvider Time { get; } = time;
}
