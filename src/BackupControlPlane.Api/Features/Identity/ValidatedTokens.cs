using System.Security.Claims;
using Microsoft.Extensions.Caching.Memory;

namespace BackupControlPlane.Api.Features.Identity;

/// <summary>
/// Tokens already validated, until they expire. Checking a token is an RSA signature verification and a JSON parse:
/// more CPU than the rest of a simple GET (README "Performance"), and clients send the same token for an hour. Keyed by
/// the token's whole text, so any changed byte is a new token and validated in full; the lifetime is checked on every
/// use against the injected clock, as the full validation does. Bounded, so a flood of distinct tokens cannot grow it.
/// </summary>
public sealed class ValidatedTokens(TimeProvider time) : IDisposable
{
    private sealed record Entry(ClaimsPrincipal Principal, DateTimeOffset NotBefore, DateTimeOffset Expires);

    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(1); // as TokenService.ValidationParameters
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = 10_000 });

    public ClaimsPrincipal? Find(string token)
    {
        if (!_cache.TryGetValue(token, out Entry? entry) || entry is null) return null;
        var now = time.GetUtcNow();
        return entry.NotBefore <= now + ClockSkew && entry.Expires > now - ClockSkew ? entry.Principal : null;
    }

    public void Add(string token, ClaimsPrincipal principal)
    {
        if (Seconds(principal, "exp") is not { } expires) return;
        var entry = new Entry(principal, Seconds(principal, "nbf") ?? DateTimeOffset.MinValue, expires);
        // Evicted in real time at the latest an hour on; the emulated clock decides validity on each use.
        _cache.Set(token, entry, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = TimeSpan.FromHours(1) });
    }

    /// <summary>The bearer token of a request, as JwtBearer reads it.</summary>
    public static string? Bearer(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header.Length > 7 ? header[7..].Trim() : null;
    }

    private static DateTimeOffset? Seconds(ClaimsPrincipal principal, string claim) =>
        long.TryParse(principal.FindFirst(claim)?.Value, out var s) ? DateTimeOffset.FromUnixTimeSeconds(s) : null;

    public void Dispose() => _cache.Dispose();
}
