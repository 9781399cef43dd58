using BackupControlPlane.Api.Infrastructure;
using Microsoft.Extensions.Options;

namespace BackupControlPlane.Api.Arm;

public static class ArmAccepted
{
    /// <summary>
    /// ARM's long-running answer: 202, no body, and absolute polling URLs (the SDK follows them as given), on the
    /// configured public base URL when the emulator sits behind a proxy.
    /// </summary>
    public static IResult Accepted(HttpContext http, string location, string? asyncOperation)
    {
        var version = "?api-version=" + Uri.EscapeDataString(http.Request.Query["api-version"].ToString());
        var configured = http.RequestServices.GetRequiredService<IOptions<EmulatorOptions>>().Value.PublicBaseUrl;
        var baseUri = string.IsNullOrEmpty(configured) ? $"{http.Request.Scheme}://{http.Request.Host}" : configured.TrimEnd('/');
        http.Response.Headers.Location = baseUri + location + version;
        if (asyncOperation is not null) http.Response.Headers["Azure-AsyncOperation"] = baseUri + asyncOperation + version;
        http.Response.Headers.RetryAfter = "1";
        return TypedResults.StatusCode(StatusCodes.Status202Accepted);
    }
}
