using System.Data;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Data;

/// <summary>
/// Routes whose answer depends on what they read before they write (an ETag check, "is a backup running?", "is this VM
/// protected already?") run as one serializable transaction. On SQLite that is BEGIN IMMEDIATE: the write lock is held
/// from the first read, so no other writer interleaves. PostgreSQL lets requests run side by side and aborts the one
/// that lost a race (a serialization failure, a deadlock, or a unique key the winner inserted first); that request is
/// rolled back and run again from the start, where it sees the winner's row and answers as it would have if it had
/// come second: the same idempotent success, 412, 409 or "operation in progress". Work that must only follow a
/// commit (waking an agent) is registered with <see cref="AfterCommit"/>.
/// </summary>
public static class OneTransaction
{
    private const int MaxAttempts = 10;
    private static readonly object AfterCommitKey = new();

    public static TBuilder InOneTransaction<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var db = http.RequestServices.GetRequiredService<BackupDbContext>();
            for (var attempt = 1; ; attempt++)
            {
                var after = new List<Action>();
                http.Items[AfterCommitKey] = after;
                await using (var tx = await db.BeginWriteAsync(http.RequestAborted, IsolationLevel.Serializable))
                {
                    try
                    {
                        var result = await next(context);
                        await tx.CommitAsync(http.RequestAborted);
                        http.Items.Remove(AfterCommitKey);
                        foreach (var action in after) action();
                        // What was woken (an agent's held poll) runs first, on this thread: the rest of this request
                        // goes to the back of the pool's queue instead of holding the wake-up behind its response.
                        if (after.Count > 0) await Task.Yield();
                        return result;
                    }
                    catch (Exception e) when (attempt < MaxAttempts && DatabaseErrors.IsLostRace(e))
                    {
                        // Disposing the transaction rolls it back (a failed commit has ended it already); forget what it loaded.
                        db.ChangeTracker.Clear();
                    }
                }
                // Lost a race. Back off a random, growing while before the rerun: losers that rerun at once collide again,
                // and sixteen enables under one policy lost all of five immediate reruns (PostgreSQL, measured).
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 1 << Math.Min(attempt + 2, 9))), http.RequestAborted);
            }
        });

    /// <summary>Runs <paramref name="action"/> once the route's transaction has committed (at once outside one).</summary>
    public static void AfterCommit(HttpContext http, Action action)
    {
        if (http.Items[AfterCommitKey] is List<Action> after) after.Add(action);
        else action();
    }
}
