using System.Collections.Concurrent;
using System.Diagnostics;

namespace BackupControlPlane.Api.Infrastructure.Telemetry;

/// <summary>
/// The trace a backup's agent task belongs to, remembered in memory from the task's creation (inside the ARM request
/// or the slot's Hangfire job) so that its delivery, the agent's report and the transfer to the vault join that trace.
/// Nothing is stored when no one listens; entries end when the task settles, or after <see cref="Lifetime"/>. Another
/// node, or a restarted process, starts a trace of its own (linked to the request that carried the report).
/// </summary>
public sealed class TaskTraces(TransportClock clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);
    private const int SweepAbove = 10_000;
    private readonly ConcurrentDictionary<Guid, (ActivityContext Context, long At)> _tasks = new();

    public void Remember(Guid taskId)
    {
        if (Activity.Current is not { } current) return;
        if (_tasks.Count >= SweepAbove) Sweep();
        _tasks[taskId] = (current.Context, clock.Time.GetTimestamp());
    }

    public ActivityContext? Find(Guid taskId) => _tasks.TryGetValue(taskId, out var e) ? e.Context : null;

    public void Forget(Guid taskId) => _tasks.TryRemove(taskId, out _);

    /// <summary>
    /// A span of the task's own trace (its parent the remembered context) linked to the current one (the request or job
    /// doing the work); a plain child of the current span when the task's trace is unknown. Null while nobody listens.
    /// </summary>
    public Activity? Start(string name, Guid taskId, ActivityKind kind = ActivityKind.Internal)
    {
        if (!BcpTelemetry.Source.HasListeners()) return null;
        var activity = Find(taskId) is { } parent
            ? BcpTelemetry.Source.StartActivity(name, kind, parent, links: Activity.Current is { } here ? [new ActivityLink(here.Context)] : null)
            : BcpTelemetry.Source.StartActivity(name, kind);
        activity?.SetTag("bcp.task.id", taskId.ToString());
        return activity;
    }

    private void Sweep()
    {
        foreach (var (id, entry) in _tasks)
            if (clock.Time.GetElapsedTime(entry.At) > Lifetime) _tasks.TryRemove(id, out _);
    }
}
