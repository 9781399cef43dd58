using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace BackupControlPlane.Api.Infrastructure.Telemetry;

/// <summary>Metrics options (section <c>Emulator:Metrics</c>); OTLP follows OpenTelemetry's own environment variables.</summary>
public sealed class MetricsOptions : IValidatableObject
{
    public const string Section = "Emulator:Metrics";

    /// <summary>Serve the metrics in Prometheus' text format at <see cref="Path"/>.</summary>
    public bool Prometheus { get; set; }

    /// <summary>Where Prometheus scrapes; an absolute path of its own.</summary>
    public string Path { get; set; } = "/metrics";

    /// <summary>Read from OTEL_EXPORTER_OTLP_ENDPOINT (configuration or environment): exports traces, metrics and logs with OTLP when set.</summary>
    public string? OtlpEndpoint { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext context)
    {
        if (!Path.StartsWith('/') || Path.Length < 2 || Path.Contains('?') || Path.Contains('{'))
            yield return new ValidationResult($"Emulator:Metrics:Path '{Path}' must be an absolute path such as /metrics.", [nameof(Path)]);
        if (!string.IsNullOrWhiteSpace(OtlpEndpoint) && !(Uri.TryCreate(OtlpEndpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
            yield return new ValidationResult($"OTEL_EXPORTER_OTLP_ENDPOINT '{OtlpEndpoint}' must be an absolute http(s) URL such as http://localhost:4317.", [nameof(OtlpEndpoint)]);
    }
}

/// <summary>
/// OpenTelemetry as the .NET service defaults set it up: traces (ASP.NET Core, HttpClient, the service's own spans),
/// metrics (ASP.NET Core requests, HttpClient, the service's meter) and logs, exported with OTLP when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, and scrapeable at <c>/metrics</c> when <c>Emulator:Metrics:Prometheus</c> is
/// true. With neither, OpenTelemetry is not started at all and the instruments cost nothing.
/// </summary>
public static class TelemetrySetup
{
    public static WebApplicationBuilder AddBcpTelemetry(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<MetricsOptions>().BindConfiguration(MetricsOptions.Section)
            .Configure<IConfiguration>((o, c) => o.OtlpEndpoint = c["OTEL_EXPORTER_OTLP_ENDPOINT"])
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<TaskTraces>();
        HangfireTracing.Register();

        var options = builder.Configuration.GetSection(MetricsOptions.Section).Get<MetricsOptions>() ?? new MetricsOptions();
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        if (!otlp && !options.Prometheus) return builder;

        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(builder.Configuration["OTEL_SERVICE_NAME"] ?? "BackupControlPlane",
                serviceVersion: typeof(TelemetrySetup).Assembly.GetName().Version?.ToString()))
            .WithMetrics(m =>
            {
                m.AddMeter(BcpTelemetry.Name).AddAspNetCoreInstrumentation().AddHttpClientInstrumentation();
                // Meters are matched by name across the whole process; one made by another host's IMeterFactory (several
                // services in one process: the tests, an app embedding the emulator) describes that host's state, not this one's.
                ((IDeferredMeterProviderBuilder)m).Configure((sp, b) =>
                {
                    var own = sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
                    b.AddView(i => i.Meter.Scope is System.Diagnostics.Metrics.IMeterFactory other && !ReferenceEquals(other, own) ? MetricStreamConfiguration.Drop : null);
                });
                if (options.Prometheus) m.AddPrometheusExporter();
            });
        if (otlp)
        {
            telemetry.WithTracing(t => t.AddSource(BcpTelemetry.Name)
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !IsScrape(http, options))
                .AddHttpClientInstrumentation());
            builder.Logging.AddOpenTelemetry(l => { l.IncludeFormattedMessage = true; l.IncludeScopes = true; });
            telemetry.UseOtlpExporter();
        }
        return builder;
    }

    /// <summary>Maps the Prometheus scraping endpoint when it is enabled (outside the ARM group: no token, like /healthz).</summary>
    public static void MapBcpMetrics(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<MetricsOptions>>().Value;
        if (options.Prometheus) app.MapPrometheusScrapingEndpoint(options.Path).ExcludeFromDescription();
    }

    private static bool IsScrape(HttpContext http, MetricsOptions options) => options.Prometheus && http.Request.Path == options.Path;
}
