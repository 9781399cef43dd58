using System.Collections.Concurrent;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Agents;

/// <summary>
/// Stores that agents are alive (<see cref="VirtualMachine.AgentLastSeen"/>, read by every node's
/// <see cref="AgentPresence"/>), off the goal-state poll's path and many VMs to a write. Each poll used to write its
/// own heartbeat before holding, taking a turn at the SQLite write gate: with 10,000 agents and a 25 s hold that is
/// 400 write transactions a second, and each poll (and the dispatch behind it) queued for its turn. Now a poll notes
/// the VM here and goes on; one writer at a time stores everything noted, and whatever is noted while it writes goes
/// into its next write, so the batches grow with the load without any timer. At most every 10 s per VM (transport
/// clock, as presence is judged). A failed write is logged and the VMs are noted again by their next poll.
/// </summary>
public sealed class AgentHeartbeats(IServiceScopeFactory scopes, TransportClock transport, ILogger<AgentHeartbeats> logger)
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);
    private const int Batch = 500;
    private readonly ConcurrentDictionary<long, DateTimeOffset> _pending = new();
    private int _writing;

    /// <summary>Notes that the agent of <paramref name="vm"/> (as read for this request) was heard now.</summary>
    public void Beat(VirtualMachine vm)
    {
        var now = transport.Time.GetUtcNow();
        if (vm.AgentLastSeen is { } seen && now - seen < Interval) return;
        _pending[vm.Id] = now;
        StartWriter();
    }

    private void StartWriter()
    {
        if (Interlocked.CompareExchange(ref _writing, 1, 0) == 0) _ = Task.Run(WriteAllAsync);
    }

    private async Task WriteAllAsync()
    {
        try
        {
            while (!_pending.IsEmpty)
            {
                var batch = new List<(long Id, DateTimeOffset At)>(Math.Min(Batch, _pending.Count));
                foreach (var id in _pending.Keys)
                {
                    if (_pending.TryRemove(id, out var at)) batch.Add((id, at));
                    if (batch.Count == Batch) break;
                }
                if (batch.Count > 0) await WriteAsync(batch);
            }
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Storing agent heartbeats failed; their VMs' next polls note them again.");
        }
        finally
        {
            Volatile.Write(ref _writing, 0);
        }
        // A beat noted after the loop found nothing left, but before the flag was cleared, started no writer.
        if (!_pending.IsEmpty) StartWriter();
    }

    private async Task WriteAsync(List<(long Id, DateTimeOffset At)> batch)
    {
        // One statement for the batch, stamped with its earliest sighting: never later than the agent was heard.
        var at = batch.Min(b => b.At);
        var ids = batch.Select(b => b.Id).ToList();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BackupDbContext>();
        await db.VirtualMachines.Where(v => ids.Contains(v.Id)).ExecuteUpdateAsync(s => s.SetProperty(v => v.AgentLastSeen, at));
    }
}
