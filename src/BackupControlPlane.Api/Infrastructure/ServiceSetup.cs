using Azure.Core.Pipeline;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Features.Agents;
using BackupControlPlane.Api.Features.Backups;
using BackupControlPlane.Api.Features.Deployments;
using BackupControlPlane.Api.Features.Disks;
using BackupControlPlane.Api.Features.Emulator;
using BackupControlPlane.Api.Features.Identity;
using BackupControlPlane.Api.Features.Network;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using BackupControlPlane.Api.Features.Protection;
using BackupControlPlane.Api.Features.RecoveryPoints;
using BackupControlPlane.Api.Features.Rbac;
using BackupControlPlane.Api.Features.ResourceGuards;
using BackupControlPlane.Api.Features.Restore;
using BackupControlPlane.Api.Features.Scheduling;
using BackupControlPlane.Api.Features.Vaults;
using BackupControlPlane.Api.Features.VirtualMachines;
using Azure.Storage.Blobs;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.Storage.SQLite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

using BackupControlPlane.Api.Infrastructure.OpenApi;
using BackupControlPlane.Api.Infrastructure.Telemetry;

namespace BackupControlPlane.Api.Infrastructure;

public static class ServiceSetup
{
    public static WebApplicationBuilder AddBackupControlPlane(this WebApplicationBuilder builder)
    {
        // The product card keeps appsettings.json at the repository root; it is copied beside the binaries. Lowest
        // precedence, so appsettings.{Environment}.json, environment variables and the command line still win.
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Json.JsonConfigurationSource
        {
            FileProvider = new Microsoft.Extensions.FileProviders.PhysicalFileProvider(AppContext.BaseDirectory),
            Path = "appsettings.json", Optional = true, ReloadOnChange = false,
        });

        var services = builder.Services;
        services.AddOptions<EmulatorOptions>().BindConfiguration(EmulatorOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<HangfireOptions>().BindConfiguration(HangfireOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<DemoFleetOptions>().BindConfiguration(DemoFleetOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<IdentityOptions>().BindConfiguration(IdentityOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<TlsOptions>().BindConfiguration(TlsOptions.Section);
        services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section);

        var emulator = builder.Configuration.GetSection(EmulatorOptions.Section).Get<EmulatorOptions>() ?? new EmulatorOptions();
        var paths = DataPaths.Create(builder.Environment.ContentRootPath, emulator);
        services.AddSingleton(paths);
        if (paths.Ephemeral) services.AddHostedService<EphemeralData.Cleanup>(); // first registered, so stopped last
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(TransportClock.System); // the wire's own clock (agent presence, long-poll holds, TLS)

        var database = builder.Configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        var connection = builder.Configuration.GetConnectionString("Default");
        if (database.Provider == DatabaseProvider.PostgreSql)
        {
            if (string.IsNullOrWhiteSpace(connection))
                throw new OptionsValidationException(DatabaseOptions.Section, typeof(DatabaseOptions),
                    ["Database:Provider is PostgreSql but ConnectionStrings:Default is empty (e.g. Host=db;Database=bcp;Username=bcp;Password=…)."]);
            var gate = new PostgreSqlConnectionGate(ConnectionGateCapacity(database, connection));
            var pooled = PostgreSqlConnectionStrings.Pooled(connection);
            services.AddSingleton(gate);
            services.AddSingleton(_ => new PostgreSqlSnapshots(connection)); // ReadCache's check; sets its own small pool (Data/PostgreSqlSnapshots.cs)
            // Registered as BackupDbContext for the whole app; the subclass only selects the PostgreSQL migrations.
            services.AddDbContextPool<BackupDbContext, PostgreSqlBackupDbContext>(o => o
                .UseNpgsql(pooled, s => s.CommandTimeout(30).UseQuerySplittingBehavior(QuerySplittingBehavior.SplitQuery))
                .AddInterceptors(gate, new JobMetrics()));
            // Wake-ups cross nodes through LISTEN/NOTIFY (agents long-polling one node, work created on another).
            services.AddSingleton(sp => new PostgreSqlSignals(connection, sp.GetRequiredService<ILogger<PostgreSqlSignals>>()));
            services.AddSingleton<IClusterSignals>(sp => sp.GetRequiredService<PostgreSqlSignals>());
            services.AddHostedService(sp => sp.GetRequiredService<PostgreSqlSignals>());
        }
        else
        {
            // Pooled: building options and a context per request cost more than a simple query (measured, README Performance).
            var writeGate = new SqliteWriteGate();
            services.AddDbContextPool<BackupDbContext>(o => o
                .UseSqlite(connection ?? $"Data Source={paths.Database}", s => s.CommandTimeout(30).UseQuerySplittingBehavior(QuerySplittingBehavior.SplitQuery))
                .AddInterceptors(new SqliteConnectionSettings(), writeGate, new JobMetrics()));
            services.AddHostedService(_ => new SqliteWriteGate.Owner(writeGate)); // closes the kept write connection at the end
        }

        services.AddSingleton(sp => new BlobServiceClient(sp.GetRequiredService<IOptions<StorageOptions>>().Value.ConnectionString,
            new BlobClientOptions
            {
                Retry = { MaxRetries = 2, NetworkTimeout = TimeSpan.FromSeconds(30) },
                // Bounded: the SDK's shared pool opens a connection per concurrent call, and a 10,000-VM round's fan-out
                // ran the machine out of file descriptors (docs/performance.md). Calls beyond the bound wait their turn.
                Transport = new HttpClientTransport(new SocketsHttpHandler { MaxConnectionsPerServer = 64, UseCookies = false }),
            }));
        services.AddSingleton<BlobDurability>();
        services.AddSingleton<BlobStorage>();
        services.AddSingleton<ExpressJobs>(); // Hangfire jobs run at once after their commit, the job kept as the safety net
        services.AddHostedService<AzuriteLauncher>();
        services.AddHostedService<DatabaseMigrator>();

        var hangfire = builder.Configuration.GetSection(HangfireOptions.Section).Get<HangfireOptions>() ?? new HangfireOptions();
        var hangfireConnection = builder.Configuration.GetConnectionString("Hangfire");
        // The storage is this app's own singleton rather than Hangfire's global JobStorage.Current, so that several
        // instances in one process (tests) never share or dispose each other's storage.
        if (database.Provider == DatabaseProvider.PostgreSql)
        {
            var options = new PostgreSqlStorageOptions
            {
                SchemaName = "hangfire",
                PrepareSchemaIfNecessary = true,
                QueuePollInterval = hangfire.QueuePollInterval,
                // Not EnableLongPolling: its per-fetch LISTEN task, cancelled while still connecting, can fail a fetch after
                // the job was taken (Dequeue rethrows anything but TaskCanceledException), and the job then waits out the
                // invisibility timeout: the likely cause of a run-due that stalled here under load. Workers poll the
                // queue every QueuePollInterval instead, as on SQLite.
                EnableLongPolling = false,
                // A job fetched by a node that dies is taken over once this runs out; sliding (renewed by a heartbeat
                // while the job runs), so a long job is never handed to a second node while its own is alive.
                InvisibilityTimeout = hangfire.InvisibilityTimeout,
                UseSlidingInvisibilityTimeout = true,
            };
            var jobsConnection = string.IsNullOrWhiteSpace(hangfireConnection) ? connection! : hangfireConnection;
            services.AddSingleton<JobStorage>(_ => new PostgreSqlStorage(new NpgsqlConnectionFactory(jobsConnection, options), options));
        }
        else
        {
            var hangfireDb = hangfireConnection ?? paths.HangfireDatabase;
            services.AddSingleton<JobStorage>(sp =>
            {
                var recovered = HangfireSqliteRecovery.Recover(hangfireDb);
                if (recovered.Any)
                    sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(HangfireSqliteRecovery))
                        .LogWarning("Hangfire jobs left by a process that died: {Recovered}", recovered);
                return new SQLiteStorage(hangfireDb, new SQLiteStorageOptions { QueuePollInterval = hangfire.QueuePollInterval });
            });
        }
        services.AddHangfire((sp, c) => c
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            // Hangfire's log provider is process-wide: the last app started in a process wins. Guard it, so that when
            // that app stops (tests run several) the others' Hangfire calls log nowhere instead of throwing.
            .UseLogProvider(new DisposalSafeLogProvider(new Hangfire.AspNetCore.AspNetCoreLogProvider(sp.GetRequiredService<ILoggerFactory>()))));
        services.AddHangfireServer((sp, o) =>
        {
            // Jobs are activated from this app's container, never from Hangfire's process-wide default.
            o.Activator = new Hangfire.AspNetCore.AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>());
            o.WorkerCount = hangfire.WorkerCount;
            o.SchedulePollingInterval = hangfire.SchedulePollingInterval;
        });

        // HTTPS with the emulator's own CA (or a configured PFX) for every https:// address in Urls.
        var tls = builder.Configuration.GetSection(TlsOptions.Section).Get<TlsOptions>() ?? new TlsOptions();
        // Chosen per handshake (cached until the file changes), so POST /emulator/reset?regenerateCa=true takes effect at once.
        builder.WebHost.ConfigureKestrel(k => k.ConfigureHttpsDefaults(h =>
        {
            var clock = k.ApplicationServices.GetRequiredService<TransportClock>().Time;
            TlsCertificates.Current(paths, tls, clock); // created at start, so ca.pem is there before the first client
            h.ServerCertificateSelector = (_, _) => TlsCertificates.Current(paths, tls, clock);
        }));

        builder.AddBcpTelemetry(); // OpenTelemetry: OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set, /metrics with Emulator:Metrics:Prometheus
        services.AddArmIdentity(builder.Configuration);
        services.AddSingleton<IArmTokenIssuer, ArmTokenIssuer>();
        services.AddSingleton<ReadCache>();

        // One line per slice, bottom to top (README "Design": slices depend downwards only).
        services.AddAgents();
        services.AddScoped<VirtualMachineMapper>();
        services.AddScoped<DiskDeletion>();
        services.AddNetwork();
        // The resources each slice owns, as resource groups list and delete them (Arm/IGroupResources).
        services.AddVaults();
        services.AddScoped<IGroupResources, VaultGroupResources>();
        services.AddScoped<IGroupResources, VirtualMachineGroupResources>();
        services.AddScoped<IGroupResources, StorageAccountGroupResources>();
        services.AddScoped<IGroupResources, Features.Disks.DiskGroupResources>();
        services.AddScoped<IGroupResources, Features.Network.NetworkGroupResources>();
        services.AddScheduling();
        services.AddBackups();
        services.AddRecoveryPoints();
        services.AddRestore();
        services.AddScoped<Features.FileRecovery.FileRecoveryService>();
        services.AddDeployments();
        services.AddProtection();
        services.AddResourceGuards();
        services.AddRbac(builder.Configuration);
        services.AddScoped<EmulatorReset>();
        if (builder.Configuration.GetValue<bool>($"{DemoFleetOptions.Section}:Enabled")) services.AddHostedService<DemoFleetService>();

        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: ["ready"])
            .AddCheck<HangfireHealthCheck>("hangfire", tags: ["ready"])
            .AddCheck<BlobStorageHealthCheck>("blob-storage", tags: ["ready"]);

        services.AddRequestLimits();
        services.AddProblemDetails();
        services.AddExceptionHandler<ArmExceptionHandler>();
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull);
        // Last of the app's hosted services: the server starts after it, with the endpoints built beside the others.
        services.AddSingleton<StartupWarmup>().AddHostedService(sp => sp.GetRequiredService<StartupWarmup>());
        services.AddOpenApi(o => o.AddOperationTransformer<OpenApiExamples>().AddOperationTransformer<OpenApiArmOperations>().AddDocumentTransformer<OpenApiArmDocument>());
        return builder;
    }

    /// <summary>
    /// Database:MaxConcurrentConnections, checked before the gate is built (read here, at registration, not through
    /// IOptions): its own range (the option's attributes) and room left in EF's pool.
    /// </summary>
    private static int ConnectionGateCapacity(DatabaseOptions database, string connection)
    {
        var errors = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        System.ComponentModel.DataAnnotations.Validator.TryValidateObject(database, new(database), errors, validateAllProperties: true);
        var failures = errors.Select(e => $"Database: {e.ErrorMessage}").ToList();
        var pool = new Npgsql.NpgsqlConnectionStringBuilder(connection).MaxPoolSize;
        if (database.MaxConcurrentConnections >= pool)
            failures.Add($"Database:MaxConcurrentConnections is {database.MaxConcurrentConnections}: it must be below the connection string's Maximum Pool Size ({pool}).");
        if (failures.Count > 0) throw new OptionsValidationException(DatabaseOptions.Section, typeof(DatabaseOptions), failures);
        return database.MaxConcurrentConnections;
    }
}
