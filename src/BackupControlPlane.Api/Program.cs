using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Features.Agents;
using BackupControlPlane.Api.Features.Backups;
using BackupControlPlane.Api.Features.Deployments;
using BackupControlPlane.Api.Features.Disks;
using BackupControlPlane.Api.Features.Emulator;
using BackupControlPlane.Api.Features.FileRecovery;
using BackupControlPlane.Api.Features.Identity;
using BackupControlPlane.Api.Features.Jobs;
using BackupControlPlane.Api.Features.Network;
using BackupControlPlane.Api.Features.Policies;
using BackupControlPlane.Api.Features.Protection;
using BackupControlPlane.Api.Features.Rbac;
using BackupControlPlane.Api.Features.RecoveryPoints;
using BackupControlPlane.Api.Features.ResourceGuards;
using BackupControlPlane.Api.Features.ResourceGroups;
using BackupControlPlane.Api.Features.Restore;
using BackupControlPlane.Api.Features.Vaults;
using BackupControlPlane.Api.Features.VirtualMachines;
using BackupControlPlane.Api.Infrastructure;
using BackupControlPlane.Api.Infrastructure.Telemetry;
using Hangfire;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;

var builder = WebApplication.CreateBuilder(EphemeralData.Arguments(args)); // --ephemeral: data in a temporary folder
builder.AddBackupControlPlane();

var app = builder.Build();
app.Use(ArmRequestHeaders.Add);
app.UseExceptionHandler();
app.UseStatusCodePages(ArmStatusCodePages.WriteAsync);
app.Use(RequestLimits.RejectOversizeBodies);
app.Use(RequestLimits.RejectUnknownCharsets);
// ARM treats '//' as '/'; the az CLI's generic-resource client sends one (storageAccounts//name). Before routing.
app.Use((http, next) =>
{
    if (http.Request.Path.Value is { } path && path.Contains("//")) http.Request.Path = new PathString(System.Text.RegularExpressions.Regex.Replace(path, "/{2,}", "/"));
    return next(http);
});
app.UseRouting();
app.UseRequestRateLimits(); // off (Limits:RequestsPerSecond=0): not in the pipeline at all
// After routing: ARM routes require a bearer token (ArmGroup.Policy), agent routes the VmAgent scheme.
app.UseAuthorization();
app.Use(ApiVersions.Enforce);
// Authorization after authentication: Azure RBAC (Identity:EnforceRbac), then multi-user authorization (Resource Guards).
app.Use(RbacEnforcement.Enforce);
app.Use(MuaEnforcement.Enforce);
// A cached read's current answer, once every check above passed, before its endpoint binds (Data/ReadCache.cs).
app.Use(CachedReads.AnswerHits);

// One document, on a fixed path: the templated default answers unknown names with a plain-text 404 of its own.
app.MapOpenApi("/openapi/v1.json");
// Only under /swagger: its middleware matches every request's path with regexes, ARM's included (docs/performance.md).
app.UseWhen(http => http.Request.Path.StartsWithSegments("/swagger", StringComparison.OrdinalIgnoreCase), swagger => swagger.UseSwaggerUI(o =>
{
    o.SwaggerEndpoint("/openapi/v1.json", "BackupControlPlane");
    o.RoutePrefix = "swagger";
    o.UseRequestInterceptor(SwaggerToken.Interceptor);
}));
app.UseBackupCenter(); // the Backup center page at /; Swagger UI at /swagger, Hangfire at /hangfire
app.MapBcpMetrics(); // Prometheus at /metrics when Emulator:Metrics:Prometheus is true
app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false });
app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") });
// Hangfire's own default filter would do for loopback, but not honour Emulator:AllowRemoteControl.
app.MapHangfireDashboard("/hangfire", new DashboardOptions { Authorization = [new LocalDashboardFilter()] });

app.MapVirtualMachines();
app.MapDisks();
app.MapNetwork();
app.MapVaults();
app.MapVaultConfig();
app.MapPolicies();
app.MapProtection();
app.MapRecoveryPoints();
app.MapBackups();
app.MapRestore();
app.MapCrossRegionRestore();
app.MapFileRecovery();
app.MapJobs();
app.MapCrrJobs();
app.MapAgents();
app.MapEmulator();
app.MapIdentity();
app.MapProviders();
app.MapResourceGroups();
app.MapGenericResources();
app.MapResourceGuards();
app.MapRbac();
app.MapDeployments();

app.Lifetime.ApplicationStarted.Register(() => StartupBanner.Print(app));
app.Services.GetRequiredService<StartupWarmup>().Begin(app); // the endpoints, built beside the migrations (Infrastructure/StartupWarmup)
app.Run();

public partial class Program;
