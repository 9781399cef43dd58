using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Diagnostics;

namespace BackupControlPlane.Api.Arm;

/// <summary>Bodiless error answers (no route, wrong method) get ARM's envelope on ARM paths and ProblemDetails elsewhere.</summary>
public static class ArmStatusCodePages
{
    public static async Task WriteAsync(StatusCodeContext context)
    {
        var http = context.HttpContext;
        var status = http.Response.StatusCode;
        // No emulated route (or none with this method), but one of Azure's operations: refuse it by name, not with the generic 404.
        if (status is 404 or 405 && (status == 405 || http.GetEndpoint() is null) && ArmResults.IsArmPath(http.Request.Path)
            && AzureOperationCatalog.Find(http.Request.Method, http.Request.Path) is { } operation)
        {
            await RefuseAsync(http, operation);
            return;
        }
        var (code, message) = status switch
        {
            404 => (ArmErrorCodes.NotFound, $"No emulated {(ArmResults.IsArmPath(http.Request.Path) ? "ARM " : "")}resource or action matches '{http.Request.Method} {http.Request.Path}'."),
            405 => ("MethodNotAllowed", $"The method '{http.Request.Method}' is not supported for '{http.Request.Path}'."),
            413 => (Infrastructure.RequestLimits.RequestEntityTooLarge, "The request body is too large."),
            415 => ("UnsupportedMediaType", "Send the request body as application/json."),
            _ => ($"Http{status}", $"The request failed with HTTP {status}."),
        };
        await ErrorResponses.WriteAsync(http, status, code, message);
    }

    /// <summary>
    /// Azure's operation that is not emulated: 400 with the operation's refusal code, after the same token check as every
    /// ARM route (no endpoint matched, so the route group's policy did not run).
    /// </summary>
    private static async Task RefuseAsync(HttpContext http, AzureOperation operation)
    {
        var policy = await http.RequestServices.GetRequiredService<IAuthorizationPolicyProvider>().GetPolicyAsync(ArmGroup.Policy);
        if (policy is not null)
        {
            var evaluator = http.RequestServices.GetRequiredService<IPolicyEvaluator>();
            var authenticated = await evaluator.AuthenticateAsync(policy, http);
            if (!(await evaluator.AuthorizeAsync(policy, authenticated, http, null)).Succeeded)
            {
                await http.ChallengeAsync(policy.AuthenticationSchemes.FirstOrDefault());
                return;
            }
        }
        // As the route group checks on implemented routes (ArmGroup): a subscription id is a GUID.
        var segments = http.Request.Path.Value!.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length > 1 && segments[0].Equals("subscriptions", StringComparison.OrdinalIgnoreCase) && !Guid.TryParse(segments[1], out _))
        {
            var invalid = ArmGroup.InvalidSubscriptionId(segments[1]);
            await ErrorResponses.WriteAsync(http, invalid.StatusCode, invalid.Code, invalid.Message);
            return;
        }
        await ErrorResponses.WriteAsync(http, StatusCodes.Status400BadRequest, operation.RefusalCode,
            $"The Azure operation {operation.OperationId} ({operation.Method} {operation.PathTemplate}) is not emulated by BackupControlPlane; "
            + "the emulator's routes are listed at /openapi/v1.json.");
    }
}
