using Hangfire;

namespace BackupControlPlane.Api.Features.Emulator;

/// <summary>
/// Empties Hangfire's work through its own API, on SQLite and PostgreSQL storage alike: every scheduled, enqueued,
/// processing and failed job is deleted (a running one sees its cancellation token fire). The recurring maintenance
/// jobs stay: they belong to the service, not to its state. Finished jobs stay in the dashboard's history until
/// Hangfire expires them (a day).
/// </summary>
public static class HangfireWipe
{
    public static int Run(JobStorage storage, IBackgroundJobClient jobs)
    {
        var monitor = storage.GetMonitoringApi();
        var ids = new HashSet<string>();
        // Pages of 500: each call returns a snapshot; a job enqueued meanwhile (a retry) is caught by the next pass.
        for (var pass = 0; pass < 3; pass++)
        {
            var found = monitor.ScheduledJobs(0, 500).Select(j => j.Key)
                .Concat(monitor.Queues().SelectMany(q => monitor.EnqueuedJobs(q.Name, 0, 500).Select(j => j.Key)))
                .Concat(monitor.ProcessingJobs(0, 500).Select(j => j.Key))
                .Concat(monitor.FailedJobs(0, 500).Select(j => j.Key))
                .Where(ids.Add).ToList();
            if (found.Count == 0) break;
            foreach (var id in found) jobs.Delete(id);
        }
        return ids.Count;
    }
}
