using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace BackupControlPlane.Api.Infrastructure.Telemetry;

/// <summary>
/// The service's own OpenTelemetry sources (docs/observability.md): one <see cref="ActivitySource"/> for the spans of a
/// backup's life and one <see cref="Meter"/> for its counters and histograms, both named <see cref="Name"/>. Static, as
/// .NET libraries keep theirs: an instrument costs nothing while no exporter listens. The observable gauges, which read
/// one app's state, are created per app through IMeterFactory (Features/Agents/AgentGauges.cs), under the same name.
/// </summary>
public static class BcpTelemetry
{
    public const string Name = "BackupControlPlane";

    public static readonly ActivitySource Source = new(Name);
    public static readonly Meter Meter = new(Name);

    /// <summary>Every status a job enters: InProgress when it is created, then its final status.</summary>
    private static readonly Counter<long> Jobs = Meter.CreateCounter<long>("bcp.jobs", "{job}",
        "Jobs by operation (Backup, Restore, ConfigureBackup, …) and the status they entered (InProgress, Completed, Failed, …).");

    private static readonly Histogram<double> JobDuration = Meter.CreateHistogram<double>("bcp.job.duration", "s",
        "Duration of finished jobs (start to end on the emulated clock), by operation and final status.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900] });

    private static readonly Histogram<double> WriteGateWait = Meter.CreateHistogram<double>("bcp.sqlite.write_gate.wait", "s",
        "How long a writer waited for its turn at the SQLite write gate (Data/SqliteWriteGate.cs).",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5] });

    private static readonly Histogram<double> ConnectionGateWait = Meter.CreateHistogram<double>("bcp.postgresql.connection_gate.wait", "s",
        "How long a request or job waited for one of the PostgreSQL connections the node allows at once (Data/PostgreSqlConnectionGate.cs).",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 15, 60] });

    public static void JobEntered(string operation, string status, TimeSpan? duration)
    {
        var tags = new TagList { { "operation", operation }, { "status", status } };
        Jobs.Add(1, tags);
        if (duration is { } d) JobDuration.Record(Math.Max(0, d.TotalSeconds), tags);
    }

    public static void WriteGateWaited(TimeSpan waited)
    {
        if (WriteGateWait.Enabled) WriteGateWait.Record(waited.TotalSeconds);
    }

    public static void ConnectionGateWaited(TimeSpan waited)
    {
        if (ConnectionGateWait.Enabled) ConnectionGateWait.Record(waited.TotalSeconds);
    }
}
