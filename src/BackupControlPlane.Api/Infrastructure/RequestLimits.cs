using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Threading.RateLimiting;
using BackupControlPlane.Api.Arm;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace BackupControlPlane.Api.Infrastructure;

public sealed class LimitsOptions
{
    public const string Section = "Limits";

    /// <summary>Largest request body accepted; larger ones answer 413. ARM bodies here are a few KiB.</summary>
    [Range(1024, 1024L * 1024 * 1024)] public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;
    /// <summary>Sustained requests per second per client address; 0 turns rate limiting off (benchmarks).</summary>
    [Range(0, 1_000_000)] public int RequestsPerSecond { get; set; } = 1000;
    /// <summary>Requests a client may send at once above the sustained rate (the token bucket's size).</summary>
    [Range(1, 10_000_000)] public int Burst { get; set; } = 2000;
}

/// <summary>
/// Request size and rate limits that answer 413 and 429 (with Retry-After) in the route family's error shape.
/// Agents get a bucket of their own per address, so a flood of ARM calls never starves their long polls, and the
/// health probes are never limited.
/// </summary>
public static class RequestLimits
{
    public static IServiceCollection AddRequestLimits(this IServiceCollection services)
    {
        services.AddOptions<LimitsOptions>().BindConfiguration(LimitsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        // Kestrel enforces the size on bodies without Content-Length too (chunked): reading past it throws 413.
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<LimitsOptions>>((k, l) => k.Limits.MaxRequestBodySize = l.Value.MaxRequestBodyBytes);
        services.AddRateLimiter(o =>
        {
            // The partition key is the route family and the client's address as they are: a string made per request
            // (address text, then "family:address") cost two allocations on every request of the default set-up.
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, ClientBucket>(http =>
            {
                var path = http.Request.Path;
                if (path.StartsWithSegments("/healthz") || path.StartsWithSegments("/readyz"))
                    return RateLimitPartition.GetNoLimiter(default(ClientBucket));
                var bucket = new ClientBucket(path.StartsWithSegments("/agent"), http.Connection.RemoteIpAddress);
                // The limits are looked up only when a client's bucket is made, not on every request.
                return RateLimitPartition.GetTokenBucketLimiter(bucket, _ =>
                {
                    var limits = http.RequestServices.GetRequiredService<IOptions<LimitsOptions>>().Value;
                    return new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = limits.Burst,
                        TokensPerPeriod = limits.RequestsPerSecond,
                        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                        QueueLimit = 0,
                        AutoReplenishment = true,
                    };
                });
            });
            o.OnRejected = (context, ct) =>
            {
                var seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)) : 1;
                context.HttpContext.Response.Headers.RetryAfter = seconds.ToString();
                return new ValueTask(Arm.ErrorResponses.WriteAsync(context.HttpContext, StatusCodes.Status429TooManyRequests, "TooManyRequests",
                    $"Too many requests from this client; retry after {seconds} s (Limits:RequestsPerSecond, Limits:Burst)."));
            };
        });
        return services;
    }

    /// <summary>
    /// The rate limiter's middleware, only when limiting is on: with <c>Limits:RequestsPerSecond=0</c> (read once, at
    /// start, like every option here) nothing is limited, so no request should pay for asking (~1.8 µs each, perf).
    /// </summary>
    public static IApplicationBuilder UseRequestRateLimits(this IApplicationBuilder app) =>
        app.ApplicationServices.GetRequiredService<IOptions<LimitsOptions>>().Value.RequestsPerSecond == 0 ? app : app.UseRateLimiter();

    /// <summary>One token bucket per route family (agents apart from the rest) and client address.</summary>
    private readonly record struct ClientBucket(bool Agent, IPAddress? Client);

    /// <summary>Refuses a declared oversize body before anything reads it; Kestrel catches undeclared (chunked) ones.</summary>
    public static Task RejectOversizeBodies(HttpContext http, RequestDelegate next)
    {
        if (http.Request.ContentLength is not { } length) return next(http); // GETs, mostly: nothing to look up
        var max = http.RequestServices.GetRequiredService<IOptions<LimitsOptions>>().Value.MaxRequestBodyBytes;
        if (length <= max) return next(http);
        // The body is not read; closing keeps a client from streaming the rest of it to us.
        http.Response.Headers.Connection = "close";
        return Arm.ErrorResponses.WriteAsync(http, StatusCodes.Status413PayloadTooLarge, RequestEntityTooLarge, TooLargeMessage(max));
    }

    /// <summary>
    /// ARM bodies are JSON, and JSON between systems is UTF-8 (RFC 8259); every Azure client sends it. Any other declared
    /// charset answers 415 up front — before authentication, like every malformed request — instead of failing deep
    /// inside JSON binding (a charset .NET knows but will not decode, UTF-7, used to surface there as a 500).
    /// </summary>
    public static Task RejectUnknownCharsets(HttpContext http, RequestDelegate next)
    {
        if (Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(http.Request.ContentType, out var media) && media.Charset.HasValue && !IsUtf8(media.Charset.Value!))
            return Arm.ErrorResponses.WriteAsync(http, StatusCodes.Status415UnsupportedMediaType, "UnsupportedMediaType",
                $"The charset '{media.Charset.Value}' is not supported; send the body as UTF-8.");
        return next(http);
    }

    private static bool IsUtf8(string charset) =>
        charset.Trim().Trim('"').Trim() is var name
        && (name.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || name.Equals("utf8", StringComparison.OrdinalIgnoreCase)
            || name.Equals("us-ascii", StringComparison.OrdinalIgnoreCase)); // ASCII is a subset of UTF-8

    public const string RequestEntityTooLarge = "RequestEntityTooLarge";

    public static string TooLargeMessage(long max) => $"The request body is larger than the {max} bytes accepted (Limits:MaxRequestBodyBytes).";

    /// <summary>Loopback callers, or anyone when <c>Emulator:AllowRemoteControl</c> is set.</summary>
    public static bool IsLocalOrAllowed(HttpContext http)
    {
        var remote = http.Connection.RemoteIpAddress;
        // No address at all is an in-process call (TestServer), never a network peer.
        if (remote is null || IPAddress.IsLoopback(remote)) return true;
        return http.RequestServices?.GetService<IOptions<EmulatorOptions>>()?.Value.AllowRemoteControl == true;
    }
}
