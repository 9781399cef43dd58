using BackupControlPlane.Api.Arm;

namespace BackupControlPlane.Api.Features.Rbac;

/// <summary>
/// Azure RBAC as a step of the ARM pipeline, after api-version and authentication and before the handler: with
/// <c>Identity:EnforceRbac</c>, a request under <c>/subscriptions</c> whose action (<see cref="ArmActions"/>) the caller
/// may not perform at the request's path is refused with ARM's 403 <c>AuthorizationFailed</c> (header
/// <c>x-ms-failure-cause: gateway</c>), in Azure's words.
/// </summary>
public static class RbacEnforcement
{
    public static Task Enforce(HttpContext http, RequestDelegate next)
    {
        // The cheap checks first, without an async state machine: this runs on every request (static files, health,
        // agents), most of them not ARM, and RBAC is off by default.
        if (http.GetEndpoint() is null || !http.Request.Path.StartsWithSegments("/subscriptions", StringComparison.OrdinalIgnoreCase)
            || http.RequestServices.GetRequiredService<IArmAccess>() is not { Enforced: true } access)
            return next(http);
        return EnforceAsync(http, next, access);
    }

    private static async Task EnforceAsync(HttpContext http, RequestDelegate next, IArmAccess access)
    {
        var scope = http.Request.Path.Value!.TrimEnd('/');
        var action = ArmActions.For(http.Request.Method, scope);
        if (await access.IsAllowedAsync(http.User, action, scope, http.RequestAborted))
        {
            await next(http);
            return;
        }
        http.Response.Headers["x-ms-failure-cause"] = "gateway";
        await ErrorResponses.WriteAsync(http, StatusCodes.Status403Forbidden, "AuthorizationFailed",
            $"{access.Describe(http.User)} does not have authorization to perform action '{action}' over scope '{scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.");
    }
}
