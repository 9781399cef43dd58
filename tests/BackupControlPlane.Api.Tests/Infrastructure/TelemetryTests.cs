using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using BackupControlPlane.Api.Infrastructure.Telemetry;

namespace BackupControlPlane.Api.Tests.Infrastructure;

/// <summary>
/// OpenTelemetry as an operator meets it (docs/observability.md): after one backup, Prometheus' scrape of /metrics (on
/// the shared app, which enables it with Emulator:Metrics:Prometheus) counts a Completed Backup job, its duration and a
/// Ready agent; and the backup's spans (request, task delivery, the agent's report, the vault transfer in Hangfire) are
/// one trace, as an OTLP exporter would receive them (listened to here in the process, as the SDK listens).
/// </summary>
public sealed class TelemetryTests
{
    [Fact]
    public async Task One_backup_is_counted_at_metrics_and_traced_from_the_request_to_the_vault_transfer()
    {
        var stopped = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is BcpTelemetry.Name or "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Add,
        };
        ActivitySource.AddActivityListener(listener);

        var app = await EmulatorApp.SharedAsync();
        var rg = "rg-otel-" + Guid.NewGuid().ToString("N")[..6];
        const string vault = "vault1";
        var vm = "vmotel" + Guid.NewGuid().ToString("N")[..6];
        await app.Arm.ProtectedVmAsync(rg, vault, vm);
        await app.StartAgentAsync(vm);
        var jobName = (await app.Arm.BackupNowAsync(rg, vault, vm))["name"]!.GetValue<string>();
        var job = await app.Arm.WaitForJobAsync(rg, vault, jobName);
        Assert.Equal("Completed", job["properties"]!["status"]!.GetValue<string>());

        // Metrics: Prometheus' text format; the exporter caches a scrape briefly, so poll until this backup shows.
        string text = "";
        await Poll.Until(async () =>
        {
            text = await app.Client.GetStringAsync("/metrics");
            return Value(text, "bcp_jobs_total", "operation=\"Backup\"", "status=\"Completed\"") >= 1;
        }, "/metrics to count a Completed Backup job", interval: TimeSpan.FromMilliseconds(200));
        Assert.True(Value(text, "bcp_jobs_total", "operation=\"Backup\"", "status=\"InProgress\"") >= 1, "the job's start is counted too");
        Assert.True(Value(text, "bcp_job_duration_seconds_count", "operation=\"Backup\"", "status=\"Completed\"") >= 1, "a finished job has a duration");
        // The agent gauge: this service's agents (the other services of this test process keep their own gauges to themselves).
        Assert.True(Value(text, "bcp_agents", "state=\"Ready\"") >= 1, "this backup's agent is counted Ready");
        Assert.NotNull(Value(text, "bcp_agents", "state=\"NotReady\""));
        Assert.NotNull(Value(text, "bcp_agent_tasks_in_flight", "state=\"Transferring\""));
        Assert.True(Value(text, "bcp_sqlite_write_gate_wait_seconds_count") >= 1, "writers waited at the SQLite write gate");
        Assert.True(Value(text, "http_server_request_duration_seconds_count") >= 1, "requests are counted");

        // Traces: the agent's report on this job's task joins the trace of the backup-now request, and so does the transfer.
        Activity? report = null;
        await Poll.Until(() => Task.FromResult((report = stopped.FirstOrDefault(a => a.OperationName == "bcp.backup.report"
            && (string?)a.GetTagItem("bcp.job.id") == jobName && (string?)a.GetTagItem("bcp.report.status") == "success")) is not null),
            "the report span");
        var trace = report!.TraceId;
        await Poll.Until(() => Task.FromResult(stopped.Any(a => a.TraceId == trace && a.OperationName == "job VaultTransferJob"
            && a.Events.Any(e => e.Name == "bcp.recovery_point.hardened"))), "the transfer span with the hardened recovery point");
        var inTrace = stopped.Where(a => a.TraceId == trace).ToList();
        Assert.Contains(inTrace, a => a.Source.Name == "Microsoft.AspNetCore" && a.Kind == ActivityKind.Server);
        Assert.Contains(inTrace, a => a.OperationName == "bcp.agent.task.deliver");
        Assert.Contains(inTrace, a => a.OperationName == "bcp.backup.report" && a.Events.Any(e => e.Name == "bcp.recovery_point.instant"));
    }

    [Fact]
    public void Metrics_options_are_checked_at_start()
    {
        static string[] Errors(MetricsOptions o) => [.. o.Validate(new(o)).Select(r => r.ErrorMessage!)];
        Assert.Empty(Errors(new MetricsOptions { Prometheus = true, OtlpEndpoint = "http://collector:4317" }));
        Assert.Contains(Errors(new MetricsOptions { Path = "metrics" }), e => e.Contains("Emulator:Metrics:Path"));
        Assert.Contains(Errors(new MetricsOptions { OtlpEndpoint = "collector:4317" }), e => e.Contains("OTEL_EXPORTER_OTLP_ENDPOINT"));
    }

    /// <summary>The value of the first sample of <paramref name="metric"/> whose labels include all of <paramref name="labels"/>; null if none.</summary>
    private static double? Value(string text, string metric, params string[] labels)
    {
        foreach (var line in text.Split('\n'))
        {
            var m = Regex.Match(line, $@"^{Regex.Escape(metric)}(\{{(?<labels>[^}}]*)\}})? (?<value>\S+)");
            if (m.Success && labels.All(l => m.Groups["labels"].Value.Contains(l, StringComparison.Ordinal)))
                return double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture);
        }
        return null;
    }
}
