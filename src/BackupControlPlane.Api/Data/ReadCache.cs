using BackupControlPlane.Api.Arm;
using Microsoft.Extensions.Caching.Memory;

namespace BackupControlPlane.Api.Data;

/// <summary>
/// Answers of hot read routes (GET protectedItem, the jobs list), kept while nothing can have changed them: the
/// database's write count in this process is the same as when the answer was read (<see cref="SqliteWriteGate.WritesOf"/>,
/// bumped after every write), and less than a second has passed, in real time and on the emulated clock (answers such
/// as a running job's duration follow the clock). A GET otherwise costs a SQLite statement preparation and an EF
/// materialisation per request (docs/performance.md). On PostgreSQL other nodes write unseen: there an answer is kept
/// with the database's snapshot taken before it was read, and a hit is taken only while a snapshot taken after the hit's
/// request began is still the same, i.e. nothing was committed since, on any node (<see cref="PostgreSqlSnapshots"/>:
/// one cheap query shared by the requests that ask together). Conditional requests are always answered fresh.
/// A miss is read and kept by the route's endpoint filter; a hit is answered by <see cref="CachedReads.AnswerHits"/>,
/// a middleware after authentication, api-version, RBAC and MUA but before the endpoint binds its parameters: binding
/// rents a DbContext, and that alone cost a hit about as much CPU as its checks (docs/performance.md).
/// </summary>
public sealed class ReadCache(TimeProvider time, PostgreSqlSnapshots? snapshots = null) : IDisposable
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(1);

    // SQLite: Writes is the counter the answer was read at, so a hit checks it without a context. PostgreSQL: Snapshot is
    // pg_current_snapshot() taken before the answer was read (Writes null).
    private sealed record Entry(byte[] Body, string? ContentType, string? ETag, SqliteWriteGate.Database? Writes, long Version, string? Snapshot, DateTimeOffset ReadAt);

    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = 10_000 });
    // Reads in flight, by key: when a kept answer expires, the requests that miss it together (a client's 64 connections)
    // wait for the first one's read instead of each reading the database (a jobs list's read is milliseconds of CPU).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Task<Entry?>> _reading = new();

    private int _waiting;

    /// <summary>Requests waiting now for another request's read of the same answer (tests, diagnostics).</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    public void Dispose() => _cache.Dispose();

    // The host is part of the answer: nextLink and ids of paged lists are absolute URLs.
    private static string KeyOf(HttpRequest request) => string.Concat(request.Scheme, "://", request.Host.Value, request.Path.Value, request.QueryString.Value);

    private bool TryHit(string key, out Entry entry)
    {
        entry = null!;
        if (!_cache.TryGetValue(key, out Entry? hit) || !Current(hit!)) return false;
        entry = hit!;
        return true;
    }

    /// <summary>No write since the answer was read, and less than <see cref="Lifetime"/> ago on the emulated clock.</summary>
    private bool Current(Entry entry) =>
        (entry.Writes is null || entry.Version == Volatile.Read(ref entry.Writes.Writes)) && (time.GetUtcNow() - entry.ReadAt).Duration() < Lifetime;

    /// <summary>PostgreSQL: the database's snapshot now (a query started after this call), or null if it could not be read.</summary>
    private async ValueTask<string?> SnapshotAsync(CancellationToken ct)
    {
        try { return await snapshots!.CurrentAsync().WaitAsync(ct); }
        catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException) { return null; } // the endpoint's own read says what is wrong
    }

    /// <summary>Writes a current kept answer for this request and returns true, or returns false (nothing written).</summary>
    internal async ValueTask<bool> TryAnswerAsync(HttpContext http)
    {
        if (ArmPreconditions.HasConditions(http.Request)) return false;
        var key = KeyOf(http.Request);
        if (!TryHit(key, out var hit))
        {
            // Another request is reading this very answer: waited for here, before this request binds a context of its
            // own, and taken if no write came after that read began (the same test as a kept answer's: a client that
            // wrote and then reads must see its write, even if the read in flight started before the write).
            if (!_reading.TryGetValue(key, out var reading)) return false;
            Interlocked.Increment(ref _waiting);
            Entry? read;
            try { read = await reading.WaitAsync(http.RequestAborted); }
            finally { Interlocked.Decrement(ref _waiting); }
            if (read is null || !Current(read)) return false;
            hit = read;
        }
        // PostgreSQL: nothing committed, on any node, since the answer's snapshot.
        if (hit.Snapshot is not null && await SnapshotAsync(http.RequestAborted) != hit.Snapshot) return false;
        var response = http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = hit.ContentType;
        response.ContentLength = hit.Body.Length;
        if (hit.ETag is not null) response.Headers.ETag = hit.ETag;
        // Headers first, then the body into one buffer: Kestrel's output pipe gives a request larger than its 4 KiB blocks
        // a buffer of its own, so a 31 KB jobs list is copied once, not block by block (8 rents, advances and iovecs).
        await response.StartAsync(http.RequestAborted);
        var writer = response.BodyWriter;
        hit.Body.CopyTo(writer.GetSpan(hit.Body.Length));
        writer.Advance(hit.Body.Length);
        await writer.FlushAsync(http.RequestAborted);
        return true;
    }

    internal async ValueTask<object?> AnswerAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var db = http.RequestServices.GetRequiredService<BackupDbContext>();
        var writes = SqliteWriteGate.WritesOf(db);
        if ((writes is null && snapshots is null) || ArmPreconditions.HasConditions(http.Request)) return await next(context);
        var version = writes is null ? 0 : Volatile.Read(ref writes.Writes);
        // PostgreSQL: the snapshot before the read (a commit after it, even one the read sees, makes the answer stale).
        var snapshot = writes is null ? await SnapshotAsync(http.RequestAborted) : null;
        if (writes is null && snapshot is null) return await next(context);
        var key = KeyOf(http.Request);
        // Normally answered by the middleware already; here for a hit that became current meanwhile or a host without it.
        if (TryHit(key, out var hit) && hit.Snapshot == snapshot)
        {
            if (hit.ETag is not null) http.Response.Headers.ETag = hit.ETag;
            return TypedResults.Bytes(hit.Body, hit.ContentType);
        }
        var mine = new TaskCompletionSource<Entry?>(TaskCreationOptions.RunContinuationsAsynchronously);
        // Only the first of simultaneous misses reads; the others wait for it in the middleware (TryAnswerAsync).
        var registered = _reading.TryAdd(key, mine.Task);
        Entry? entry = null;
        try
        {
            var now = time.GetUtcNow();
            var result = await next(context);
            if (result is not IResult answer || answer is not IStatusCodeHttpResult { StatusCode: 200 }) return result;
            // Kept as the bytes sent: a hit costs no serialisation (a list of 50 jobs is tens of kilobytes of JSON).
            var body = http.Response.Body;
            using var buffer = new MemoryStream();
            http.Response.Body = buffer;
            try { await answer.ExecuteAsync(http); }
            finally { http.Response.Body = body; }
            var etag = http.Response.Headers.ETag.ToString();
            entry = new Entry(buffer.ToArray(), http.Response.ContentType, etag.Length > 0 ? etag : null, writes, version, snapshot, now);
            // Expires in real time too: a clock held still by a test must not keep an answer forever.
            _cache.Set(key, entry, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = Lifetime });
            return TypedResults.Bytes(entry.Body, entry.ContentType);
        }
        finally
        {
            // Waiters get the answer, or null (not a 200, or the read failed) and read for themselves.
            if (registered) _reading.TryRemove(KeyValuePair.Create(key, mine.Task));
            mine.TrySetResult(entry);
        }
    }
}

public static class CachedReads
{
    /// <summary>Endpoint metadata of a route <see cref="ReadCache"/> may answer.</summary>
    private sealed class Marker;
    private static readonly Marker Instance = new();

    /// <summary>Marks a GET route whose answer depends only on the database, the URL and the clock (<see cref="ReadCache"/>).</summary>
    public static TBuilder CachedRead<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(Instance)
            .AddEndpointFilter((context, next) => context.HttpContext.RequestServices.GetRequiredService<ReadCache>().AnswerAsync(context, next));

    /// <summary>
    /// Middleware, placed after every check of the request (authentication, authorization, api-version, RBAC, MUA): a
    /// cached route's current answer is written here, before the endpoint binds its parameters. The route's own
    /// filters (<see cref="ArmGroup"/>'s subscription check) passed when the answer was kept for this very URL.
    /// </summary>
    public static Task AnswerHits(HttpContext http, RequestDelegate next)
    {
        if (!HttpMethods.IsGet(http.Request.Method) || http.GetEndpoint()?.Metadata.GetMetadata<Marker>() is null) return next(http);
        var answered = http.RequestServices.GetRequiredService<ReadCache>().TryAnswerAsync(http);
        return answered.IsCompletedSuccessfully ? (answered.Result ? Task.CompletedTask : next(http)) : AnswerOrNextAsync(answered, http, next);
    }

    private static async Task AnswerOrNextAsync(ValueTask<bool> answered, HttpContext http, RequestDelegate next)
    {
        if (!await answered) await next(http);
    }
}
