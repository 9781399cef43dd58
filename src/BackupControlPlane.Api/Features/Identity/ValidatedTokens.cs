using System.Security.Claims;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.IdentityModel.Tokens;

namespace BackupControlPlane.Api.Features.Identity;

/// <summary>
/// Tokens already validated, until they expire. Checking a token is an RSA signature verification and a JSON parse:
/// more CPU than the rest of a simple GET (docs/performance.md), and clients send the same token for an hour. Keyed by
/// the token's whole text, so any changed byte is a new token and validated in full; the lifetime is checked on every
/// use against the injected clock, as the full validation does. Bounded, so a flood of distinct tokens cannot grow it.
/// </summary>
public sealed class ValidatedTokens(TokenService tokens) : IDisposable
{
    private sealed record Entry(ClaimsPrincipal Principal, DateTime NotBefore, DateTime Expires);

    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = 10_000 });

    public ClaimsPrincipal? Find(string token) =>
        _cache.TryGetValue(token, out Entry? entry) && entry is not null && tokens.IsCurrent(entry.NotBefore, entry.Expires) ? entry.Principal : null;

    public void Add(string token, ClaimsPrincipal principal, SecurityToken validated) =>
        // Evicted in real time at the latest an hour on; the emulated clock decides validity on each use.
        _cache.Set(token, new Entry(principal, validated.ValidFrom, validated.ValidTo),
            new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = TimeSpan.FromHours(1) });

    /// <summary>The bearer token of a request, as JwtBearer reads it.</summary>
    public static string? Bearer(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header.Length > 7 ? header[7..].Trim() : null;
    }

    public void Dispose() => _cache.Dispose();
}
