using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace BackupControlPlane.Api.Arm;

/// <summary>
/// Turns exceptions into the error shape of the route family: ARM's envelope under <c>/subscriptions</c>,
/// ProblemDetails elsewhere. Bad input a client can send never surfaces as a 500.
/// </summary>
public sealed class ArmExceptionHandler(ILogger<ArmExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        var (status, code, message) = exception switch
        {
            ArmException arm => (arm.StatusCode, arm.Code, arm.Message),
            BadHttpRequestException { StatusCode: 413 } => (413, Infrastructure.RequestLimits.RequestEntityTooLarge, Infrastructure.RequestLimits.TooLargeMessage(
                http.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<Infrastructure.LimitsOptions>>().Value.MaxRequestBodyBytes)),
            BadHttpRequestException { InnerException: JsonException json } => (400, ArmErrorCodes.InvalidRequestContent, $"The request content was invalid and could not be deserialized: {json.Message}"),
            BadHttpRequestException bad => (bad.StatusCode, ArmErrorCodes.InvalidRequestContent, bad.Message),
            JsonException json => (400, ArmErrorCodes.InvalidRequestContent, $"The request content was invalid and could not be deserialized: {json.Message}"),
            Azure.RequestFailedException { Status: > 0 } storage => (503, ArmErrorCodes.StorageUnavailable, $"Blob storage failed the request ({storage.Status} {storage.ErrorCode})."),
            _ when Infrastructure.BlobStorage.IsUnavailable(exception) => (503, ArmErrorCodes.StorageUnavailable, "Blob storage is unreachable."),
            // Two requests changed the same row at once and this one lost: nothing of it was saved; the client may retry.
            Microsoft.EntityFrameworkCore.DbUpdateConcurrencyException => (409, "Conflict", "The resource was changed by another request at the same time; nothing was changed, retry."),
            _ when Data.DatabaseErrors.IsConflict(exception) => (409, "Conflict", "The request conflicts with a change another request made at the same time; nothing was changed, retry."),
            // The database refused the work (read-only file, disk full, locked, server gone): nothing was committed.
            _ when Data.DatabaseErrors.Refusal(exception) is { } db => (503, "DatabaseUnavailable", $"The emulator's database refused the request, nothing was changed{Data.DatabaseErrors.Hint(db)}: {db.Message}"),
            OperationCanceledException when http.RequestAborted.IsCancellationRequested => (499, "RequestCanceled", "The client closed the request."),
            _ => (500, "InternalServerError", "The emulator hit an unexpected error; see its log."),
        };
        if (status >= 500) logger.LogError(exception, "Request {Method} {Path} failed", http.Request.Method, http.Request.Path);

        if (status == 503) http.Response.Headers.RetryAfter = "10"; // an outage of a dependency: worth retrying soon
        await ErrorResponses.WriteAsync(http, status, code, message);
        return true;
    }
}
