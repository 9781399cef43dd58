using System.Globalization;

namespace BackupControlPlane.Api.Arm;

/// <summary>
/// ARM's tracing headers on every response, ARM routes and the emulator's own, errors included (set when the response
/// starts, so the exception handler's clearing of headers cannot drop them): <c>x-ms-request-id</c> (new per request),
/// <c>x-ms-correlation-request-id</c> (the client's when it sent one, else new) and <c>x-ms-routing-request-id</c>
/// (<c>REGION:TIMESTAMP:GUID</c> as ARM writes it, with the region <c>LOCAL</c>).
/// </summary>
public static class ArmRequestHeaders
{
    public const string RequestId = "x-ms-request-id";
    public const string CorrelationRequestId = "x-ms-correlation-request-id";
    public const string RoutingRequestId = "x-ms-routing-request-id";

    public static Task Add(HttpContext http, RequestDelegate next)
    {
        var sent = http.Request.Headers[CorrelationRequestId].ToString();
        var correlation = Guid.TryParse(sent, out var parsed) ? parsed.ToString() : Guid.NewGuid().ToString();
        var time = http.RequestServices.GetRequiredService<TimeProvider>();
        http.Response.OnStarting(() =>
        {
            var headers = http.Response.Headers;
            headers[RequestId] = Guid.NewGuid().ToString();
            headers[CorrelationRequestId] = correlation;
            headers[RoutingRequestId] = $"LOCAL:{time.GetUtcNow().UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}:{Guid.NewGuid()}";
            return Task.CompletedTask;
        });
        return next(http);
    }
}
