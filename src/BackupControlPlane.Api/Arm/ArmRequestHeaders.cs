using System.Globalization;
using System.Security.Cryptography;

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
        var correlation = Guid.TryParse(sent, out var parsed) ? parsed.ToString() : NewId().ToString();
        var time = http.RequestServices.GetRequiredService<TimeProvider>();
        http.Response.OnStarting(() =>
        {
            var headers = http.Response.Headers;
            headers[RequestId] = NewId().ToString();
            headers[CorrelationRequestId] = correlation;
            headers[RoutingRequestId] = $"LOCAL:{time.GetUtcNow().UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}:{NewId()}";
            return Task.CompletedTask;
        });
        return next(http);
    }

    // Random GUIDs (version 4, as Guid.NewGuid's) cut from a per-thread block of 64 that the system's secure generator
    // fills at once: Guid.NewGuid asks the kernel for its 16 bytes every time (getrandom), and every response takes
    // two or three of them: about 1.3 µs of a cached GET's CPU (perf under wrk).
    [ThreadStatic] private static byte[]? _ids;
    [ThreadStatic] private static int _idsUsed;

    internal static Guid NewId()
    {
        var block = _ids ??= new byte[16 * 64];
        if (_idsUsed == 0) RandomNumberGenerator.Fill(block);
        var bytes = block.AsSpan(_idsUsed, 16);
        _idsUsed = (_idsUsed + 16) % block.Length;
        bytes[7] = (byte)(bytes[7] & 0x0F | 0x40); // version 4: the high nibble of the third group (little-endian)
        bytes[8] = (byte)(bytes[8] & 0x3F | 0x80); // RFC 4122 variant
        return new Guid(bytes);
    }
}
