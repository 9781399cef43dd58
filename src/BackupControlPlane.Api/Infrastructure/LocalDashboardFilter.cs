using Hangfire.Dashboard;

namespace BackupControlPlane.Api.Infrastructure;

/// <summary>The Hangfire dashboard can trigger and delete jobs: local callers only, unless Emulator:AllowRemoteControl.</summary>
public sealed class LocalDashboardFilter : IDashboardAuthorizationFilter
{
    public bool Authorize(DashboardContext context) => RequestLimits.IsLocalOrAllowed(context.GetHttpContext());
}
