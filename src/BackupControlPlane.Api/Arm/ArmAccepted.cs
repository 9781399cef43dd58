using BackupControlPlane.Api.Infrastructure;
using Microsoft.Extensions.Options;

namespace BackupControlPlane.Api.Arm;

/// <summary>Endpoint metadata of a route that starts an ARM long-running operation: the OpenAPI document shows its 202.</summary>
/// <param name="AsyncOperationHeader">Whether the 202 carries Azure-AsyncOperation besides Location.</param>
public sealed record ArmLongRunningOperation(bool AsyncOperationHeader);

public static class ArmAccepted
{
    /// <summary>Declares that the route answers <see cref="Accepted"/>: 202 with Location (and Azure-AsyncOperation).</summary>
    public static RouteHandlerBuilder LongRunning(this RouteHandlerBuilder route, bool asyncOperationHeader = true) =>
        route.Produces(StatusCodes.Status202Accepted).WithMetadata(new ArmLongRunningOperation(asyncOperationHeader));

    /// <summary>
    /// ARM's long-running answer: 202, no body, and absolute polling URLs (the SDK follows them as given), on the
    /// configured public base URL when the emulator sits behind a proxy.
    /// </summary>
    public static IResult Accepted(HttpContext http, string location, string? asyncOperation)
    {
        http.Response.Headers.Location = AbsoluteUrl(http, location);
        if (asyncOperation is not null) http.Response.Headers["Azure-AsyncOperation"] = AbsoluteUrl(http, asyncOperation);
        http.Response.Headers.RetryAfter = "1";
        return TypedResults.StatusCode(StatusCodes.Status202Accepted);
    }

    /// <summary>A polling URL for a path: absolute, on the public base URL, with the request's api-version, safe for a header.</summary>
    public static string AbsoluteUrl(HttpContext http, string path)
    {
        var version = "?api-version=" + Uri.EscapeDataString(http.Request.Query["api-version"].ToString());
        var configured = http.RequestServices.GetRequiredService<IOptions<EmulatorOptions>>().Value.PublicBaseUrl;
        var baseUri = string.IsNullOrEmpty(configured) ? $"{http.Request.Scheme}://{http.Request.Host}" : configured.TrimEnd('/');
        return baseUri + HeaderSafe(path) + version;
    }

    /// <summary>
    /// Resource names come from the URL, decoded: a name with a control or non-ASCII character (a%0Ab) would make the
    /// header invalid, and Kestrel refuses to send it (once a 500, found by the hostile-input test). Such characters
    /// are percent-encoded back, as they came.
    /// </summary>
    private static string HeaderSafe(string path)
    {
        if (path.All(c => c is > ' ' and < (char)0x7F)) return path;
        var safe = new System.Text.StringBuilder(path.Length + 16);
        Span<byte> utf8 = stackalloc byte[4]; // once, not per rune: the stack would grow with the path
        foreach (var rune in path.EnumerateRunes())
        {
            if (rune.Value is > ' ' and < 0x7F) { safe.Append((char)rune.Value); continue; }
            var n = rune.EncodeToUtf8(utf8);
            foreach (var b in utf8[..n]) safe.Append('%').Append(b.ToString("X2"));
        }
        return safe.ToString();
    }
}
