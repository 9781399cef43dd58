using System.Collections.Concurrent;

namespace BackupControlPlane.Api.Features.Agents;

/// <summary>TEMPORARY diagnostic (not to merge): stage times of a dispatch, written to $BCP_DISPATCH_PROBE.</summary>
public static class DispatchProbe
{
    private static readonly string? Path = Environment.GetEnvironmentVariable("BCP_DISPATCH_PROBE");
    private static readonly ConcurrentQueue<string> Lines = new();
    private static readonly Timer? Flusher = Path is null ? null : new Timer(_ => Flush(), null, 1000, 1000);

    public static bool On => Path is not null;

    public static void Mark(long vmId, string stage)
    {
        if (Path is null) return;
        Lines.Enqueue($"{vmId} {stage} {DateTime.UtcNow.Ticks} {Environment.CurrentManagedThreadId} {GC.GetTotalPauseDuration().Ticks} {ThreadPool.PendingWorkItemCount} {ThreadPool.ThreadCount}");
    }

    private static void Flush()
    {
        if (Lines.IsEmpty) return;
        var sb = new System.Text.StringBuilder();
        while (Lines.TryDequeue(out var l)) sb.AppendLine(l);
        File.AppendAllText(Path!, sb.ToString());
    }
}
