using BackupControlPlane.Api.Data;
using Hangfire;
using Hangfire.Common;
using Hangfire.Dashboard;

namespace BackupControlPlane.Api.Infrastructure;

/// <summary>
/// A Hangfire job's name in the dashboard, in the user's words (vault, policy, VM, slot): the stored job keeps only its
/// ids, and the dashboard looks them up when it renders the job. Old jobs keep deserializing, renames show at once,
/// and a job whose rows are gone (deleted, reset) falls back to <paramref name="fallback"/> formatted with its ids.
/// </summary>
public abstract class DashboardJobNameAttribute(string fallback) : JobDisplayNameAttribute(fallback)
{
    public override string Format(DashboardContext context, Job job)
    {
        try
        {
            var db = context.GetHttpContext().RequestServices.GetRequiredService<BackupDbContext>();
            return Describe(db, job.Args) ?? base.Format(context, job) + " (deleted)";
        }
        catch (Exception e) when (e is InvalidOperationException or System.Data.Common.DbException or InvalidCastException)
        {
            return base.Format(context, job);
        }
    }

    /// <summary>The job's name from its arguments; null when what they name no longer exists.</summary>
    protected abstract string? Describe(BackupDbContext db, IReadOnlyList<object?> args);

    /// <summary>"vm1, vm2, vm3 and 4 more".</summary>
    public static string Names(IReadOnlyList<string> names, int shown = 3) =>
        names.Count == 0 ? "no items" : string.Join(", ", names.Take(shown)) + (names.Count > shown ? $" and {names.Count - shown} more" : "");
}
