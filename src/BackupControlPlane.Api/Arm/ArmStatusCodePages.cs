using Microsoft.AspNetCore.Diagnostics;

namespace BackupControlPlane.Api.Arm;

/// <summary>Bodiless error answers (no route, wrong method) get ARM's envelope on ARM paths and ProblemDetails elsewhere.</summary>
public static class ArmStatusCodePages
{
    public static async Task WriteAsync(StatusCodeContext context)
    {
        var http = context.HttpContext;
        var status = http.Response.StatusCode;
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
}
