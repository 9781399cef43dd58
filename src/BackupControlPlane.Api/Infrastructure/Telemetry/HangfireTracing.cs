using System.Diagnostics;
using Hangfire;
using Hangfire.Client;
using Hangfire.Common;
using Hangfire.Server;

namespace BackupControlPlane.Api.Infrastructure.Telemetry;

/// <summary>
/// Carries the trace across Hangfire: a job created inside a span (an ARM request, an agent's report, another job)
/// stores its W3C <c>traceparent</c> as a job parameter, and its run is a span of that trace. Hangfire's filters are
/// process-wide (GlobalJobFilters), so <see cref="Register"/> adds this one once per process whatever the number of apps.
/// </summary>
public sealed class HangfireTracing : JobFilterAttribute, IClientFilter, IServerFilter
{
    private const string Parameter = "traceparent";
    private const string Item = "bcp.activity";
    private static readonly object Gate = new();

    public static void Register()
    {
        lock (Gate)
        {
            if (GlobalJobFilters.Filters.Any(f => f.Instance is HangfireTracing)) return;
            GlobalJobFilters.Filters.Add(new HangfireTracing());
        }
    }

    public void OnCreating(CreatingContext context)
    {
        if (Activity.Current is { IdFormat: ActivityIdFormat.W3C, Id: { } id }) context.SetJobParameter(Parameter, id);
    }

    public void OnCreated(CreatedContext context) { }

    public void OnPerforming(PerformingContext context)
    {
        if (!BcpTelemetry.Source.HasListeners()) return;
        var parent = context.GetJobParameter<string>(Parameter) is { } text && ActivityContext.TryParse(text, null, out var parsed) ? parsed : default;
        var job = context.BackgroundJob.Job;
        var activity = BcpTelemetry.Source.StartActivity($"job {job.Type.Name}", ActivityKind.Consumer, parent);
        if (activity is null) return;
        activity.SetTag("hangfire.job.id", context.BackgroundJob.Id);
        activity.SetTag("bcp.job.runner", "hangfire");
        activity.SetTag("hangfire.job.retry", context.GetJobParameter<int>("RetryCount"));
        context.Items[Item] = activity;
    }

    public void OnPerformed(PerformedContext context)
    {
        if (!context.Items.TryGetValue(Item, out var value) || value is not Activity activity) return;
        if (context.Exception is { } e && !context.ExceptionHandled) activity.SetStatus(ActivityStatusCode.Error, e.Message);
        activity.Dispose();
    }
}
