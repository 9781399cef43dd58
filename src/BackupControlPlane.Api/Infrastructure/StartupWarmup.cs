using System.Diagnostics;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;

namespace BackupControlPlane.Api.Infrastructure;

/// <summary>
/// Builds the endpoints once, on another thread, beside the hosted services' start (the EF migrations above all),
/// instead of on the first request after Kestrel listens. Building them (156 minimal-API request delegates, their
/// parameter binding compiled from expression trees) took 2.5-4.7 s of a cold start, and /readyz's first answer
/// waited for it (measured, issue 22). The built endpoints replace their data sources before Kestrel starts (this
/// hosted service is the last of the app's; WebApplication starts the server after them), so the routing middleware
/// takes them as they are rather than building them again. Likewise the EF Core model (needed by the first query:
/// ScheduleReconciler's; on SQLite the compiled one, Data/CompiledModel, ~0.45 s to load against ~1.1 s built) is
/// made ready beside the migrations, which need no model on a new or current database (Data/SqliteFreshSchema), and
/// then the bearer options the first request authenticates with. Nothing is skipped: /readyz still asks the database, Hangfire and storage; a
/// build that fails is logged and left to the first request, which fails the same way.
/// </summary>
public sealed class StartupWarmup(ILogger<StartupWarmup> logger) : IHostedService
{
    private Task<Action?>? _built;
    private Task? _model;

    /// <summary>Starts building <paramref name="app"/>'s endpoints; call once every endpoint is mapped, before Run.</summary>
    public void Begin(WebApplication app)
    {
        _model = Task.Run(() =>
        {
            var clock = Stopwatch.StartNew();
            try
            {
                using var scope = app.Services.CreateScope();
                _ = scope.ServiceProvider.GetRequiredService<Data.BackupDbContext>().Model; // built once, for every context after
                logger.LogDebug("EF Core model built ahead in {Ms} ms", clock.Elapsed.TotalMilliseconds);
                // The bearer options hold the token-signing key, made (RSA-2048) and read on a new data folder: every
                // request authenticates first, /readyz included, and the first paid for it.
                _ = app.Services.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(JwtBearerDefaults.AuthenticationScheme);
                logger.LogDebug("EF Core model and bearer options built ahead in {Ms} ms", clock.Elapsed.TotalMilliseconds);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                logger.LogWarning(e, "Building the EF Core model or the bearer options ahead failed; their first use builds them");
            }
        });
        var sources = ((IEndpointRouteBuilder)app).DataSources;
        var originals = sources.ToList();
        _built = Task.Run(Action? () =>
        {
            var clock = Stopwatch.StartNew();
            try
            {
                var built = originals.Select(s => (EndpointDataSource)new DefaultEndpointDataSource(s.Endpoints)).ToList();
                logger.LogDebug("Endpoints built ahead of the server in {Ms} ms", clock.Elapsed.TotalMilliseconds);
                // Applied in StartAsync, on the host's start path, so nothing reads the collection while it changes.
                return () =>
                {
                    sources.Clear();
                    foreach (var s in built) sources.Add(s);
                };
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                logger.LogWarning(e, "Building the endpoints ahead of the server failed; the first request builds them");
                return null;
            }
        });
    }

    public async Task StartAsync(CancellationToken ct)
    {
        if (_built is null) return; // a host that never called Begin builds its endpoints on its first request
        var clock = Stopwatch.StartNew();
        var swap = await _built.WaitAsync(ct);
        swap?.Invoke();
        if (_model is not null) await _model.WaitAsync(ct); // long done by now (the first query waited for it)
        logger.LogDebug("Waited {Ms} ms for the endpoints built ahead", clock.Elapsed.TotalMilliseconds);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
