using Microsoft.AspNetCore.Mvc;

namespace BackupControlPlane.Api.Arm;

/// <summary>
/// The one writer of error answers: ARM's <c>{"error":{"code","message"}}</c> under <c>/subscriptions</c>, as Azure's
/// clients parse it, and ProblemDetails on the emulator's own routes. Exceptions (<see cref="ArmExceptionHandler"/>),
/// bodiless status codes (<see cref="ArmStatusCodePages"/>), request limits and api-version checks all answer through it.
/// </summary>
public static class ErrorResponses
{
    public static async Task WriteAsync(HttpContext http, int status, string code, string message)
    {
        http.Response.StatusCode = status;
        if (ArmResults.IsArmPath(http.Request.Path))
        {
            await http.Response.WriteAsJsonAsync(new ArmErrorResponse(new ArmErrorBody(code, message)), http.RequestAborted);
            return;
        }
        await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = new ProblemDetails { Status = status, Title = code, Detail = message },
        });
    }
}
