using System.Linq.Expressions;
using Hangfire;
using Hangfire.States;
using Microsoft.Extensions.Options;

namespace BackupControlPlane.Api.Infrastructure;

/// <summary>
/// Work that must happen at least once, started at once. The Hangfire job is created as always (before the commit that
/// makes it valid, where the caller did so), but scheduled <see cref="SafetyDelay"/> ahead instead of enqueued: a worker
/// polling the queue would pick it up only after up to Hangfire:QueuePollInterval, plus a retry back-off when it ran
/// before the commit was visible. After the commit, <see cref="Run{T}"/> claims the job (it must still be scheduled: a
/// job that was lost or already taken is left to Hangfire and the watchdogs) and runs its work in this process on one
/// of Hangfire:WorkerCount slots. Done: the job is marked Succeeded. Failed, or no free slot: the job is enqueued at
/// once and Hangfire's retries take over. The process died meanwhile: the scheduled job runs after the delay.
/// </summary>
public sealed class ExpressJobs(IBackgroundJobClient jobs, IServiceScopeFactory scopes, IHostApplicationLifetime lifetime,
    IOptions<HangfireOptions> options, ILogger<ExpressJobs> logger)
{
    /// <summary>How long the safety net waits before Hangfire runs a job nobody ran at once (a crash between commit and run).</summary>
    public static readonly TimeSpan SafetyDelay = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Hangfire's client is synchronous: each call holds a thread-pool thread while it waits for one of its storage's
    /// pooled connections. A round's thousand reports at once once held every thread and emptied the pool, so calls
    /// timed out after 15 s and the runtime added threads one a second (docs/performance.md). Callers wait here instead,
    /// without a thread, and a handful of calls run at a time.
    /// </summary>
    private const int ClientConcurrency = 8;

    private readonly SemaphoreSlim _slots = new(options.Value.WorkerCount);
    private readonly SemaphoreSlim _client = new(ClientConcurrency);

    /// <summary>The job, scheduled as the safety net; pass its id to <see cref="Run{T}"/> once the caller's commit is done.</summary>
    public Task<string> PrepareAsync<T>(Expression<Func<T, Task>> job, CancellationToken ct) =>
        ClientAsync(() => jobs.Schedule(job, SafetyDelay), ct);

    /// <summary>Deletes a prepared job whose work is no longer needed (another caller settled it first).</summary>
    public Task DeleteAsync(string jobId, CancellationToken ct) => ClientAsync(() => jobs.Delete(jobId), ct);

    /// <summary>Runs <paramref name="work"/> (the job's own work on a <typeparamref name="T"/> from a fresh scope) now, in the background.</summary>
    public void Run<T>(string jobId, Func<T, CancellationToken, Task> work) where T : notnull => _ = RunAsync(jobId, work);

    private async Task RunAsync<T>(string jobId, Func<T, CancellationToken, Task> work) where T : notnull
    {
        await Task.Yield(); // the caller (a request) goes on; the claim below may wait for the client
        if (!_slots.Wait(0))
        {
            await EnqueueAsync(jobId); // busy (a round of many backups): Hangfire's workers share them out
            return;
        }
        bool claimed;
        try
        {
            // Still scheduled (not lost, not taken by a worker): pushed back a full delay, so no worker takes it meanwhile.
            claimed = await ClientAsync(() => jobs.ChangeState(jobId, new ScheduledState(SafetyDelay) { Reason = "Running at once in process" }, ScheduledState.StateName),
                lifetime.ApplicationStopping);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            if (!lifetime.ApplicationStopping.IsCancellationRequested) logger.LogWarning(e, "Job {JobId}: could not claim it to run at once; Hangfire runs it", jobId);
            claimed = false;
        }
        if (!claimed)
        {
            _slots.Release();
            return;
        }
        // A span of the trace the job was created in (the caller's), as Hangfire's run of it would be (Telemetry/HangfireTracing).
        using var span = Telemetry.BcpTelemetry.Source.StartActivity($"job {typeof(T).Name}", System.Diagnostics.ActivityKind.Consumer);
        span?.SetTag("hangfire.job.id", jobId);
        span?.SetTag("bcp.job.runner", "in-process");
        try
        {
            await using (var scope = scopes.CreateAsyncScope())
                await work(ActivatorUtilities.GetServiceOrCreateInstance<T>(scope.ServiceProvider), lifetime.ApplicationStopping);
            await ClientAsync(() => jobs.ChangeState(jobId, new SucceededState(null, 0, 0) { Reason = "Ran at once in process" }, ScheduledState.StateName),
                CancellationToken.None);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            span?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, e.Message);
            if (!lifetime.ApplicationStopping.IsCancellationRequested)
                logger.LogInformation("Job {JobId}: the run at once failed ({Message}); Hangfire retries it", jobId, e.Message);
            await EnqueueAsync(jobId);
        }
        finally
        {
            _slots.Release();
        }
    }

    private async Task<TResult> ClientAsync<TResult>(Func<TResult> call, CancellationToken ct)
    {
        await _client.WaitAsync(ct);
        try
        {
            return call();
        }
        finally
        {
            _client.Release();
        }
    }

    private Task ClientAsync(Action call, CancellationToken ct) => ClientAsync(() => { call(); return true; }, ct);

    private async Task EnqueueAsync(string jobId)
    {
        try
        {
            await ClientAsync(() => jobs.ChangeState(jobId, new EnqueuedState(), ScheduledState.StateName), CancellationToken.None);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Still scheduled: it runs after the safety delay.
            logger.LogWarning(e, "Job {JobId}: could not enqueue it; it runs after {Delay}", jobId, SafetyDelay);
        }
    }
}
