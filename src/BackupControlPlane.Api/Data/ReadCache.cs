using BackupControlPlane.Api.Arm;
using Microsoft.Extensions.Caching.Memory;

namespace BackupControlPlane.Api.Data;

/// <summary>
/// Answers of hot read routes (GET protectedItem, the jobs list), kept while nothing can have changed them: the
/// database's write count in this process is the same as when the answer was read (<see cref="SqliteWriteGate.DataVersion"/>,
/// bumped after every write), and less than a second has passed, in real time and on the emulated clock (answers such
/// as a running job's duration follow the clock). A GET otherwise costs a SQLite statement preparation and an EF
/// materialisation per request (docs/performance.md). SQLite only: on PostgreSQL other nodes write unseen, so
/// nothing is cached. Conditional requests are always answered fresh.
/// </summary>
public sealed class ReadCache(TimeProvider time) : IDisposable
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(1);
    private sealed record Entry(byte[] Body, string? ContentType, string? ETag, long Version, DateTimeOffset ReadAt);

    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = 10_000 });

    public void Dispose() => _cache.Dispose();

    internal async ValueTask<object?> AnswerAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var db = http.RequestServices.GetRequiredService<BackupDbContext>();
        if (SqliteWriteGate.DataVersion(db) is not { } version || ArmPreconditions.HasConditions(http.Request)) return await next(context);
        // The host is part of the answer: nextLink and ids of paged lists are absolute URLs.
        var key = $"{http.Request.Scheme}://{http.Request.Host}{http.Request.Path}{http.Request.QueryString}";
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(key, out Entry? hit) && hit!.Version == version && (now - hit.ReadAt).Duration() < Lifetime)
        {
            if (hit.ETag is not null) http.Response.Headers.ETag = hit.ETag;
            return TypedResults.Bytes(hit.Body, hit.ContentType);
        }
        var result = await next(context);
        if (result is not IResult answer || answer is not IStatusCodeHttpResult { StatusCode: 200 }) return result;
        // Kept as the bytes sent: a hit costs no serialisation (a list of 50 jobs is tens of kilobytes of JSON).
        var body = http.Response.Body;
        using var buffer = new MemoryStream();
        http.Response.Body = buffer;
        try { await answer.ExecuteAsync(http); }
        finally { http.Response.Body = body; }
        var etag = http.Response.Headers.ETag.ToString();
        var entry = new Entry(buffer.ToArray(), http.Response.ContentType, etag.Length > 0 ? etag : null, version, now);
        // Expires in real time too: a clock held still by a test must not keep an answer forever.
        _cache.Set(key, entry, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = Lifetime });
        return TypedResults.Bytes(entry.Body, entry.ContentType);
    }
}

public static class CachedReads
{
    /// <summary>Marks a GET route whose answer depends only on the database, the URL and the clock (<see cref="ReadCache"/>).</summary>
    public static TBuilder CachedRead<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter((context, next) => context.HttpContext.RequestServices.GetRequiredService<ReadCache>().AnswerAsync(context, next));
}
