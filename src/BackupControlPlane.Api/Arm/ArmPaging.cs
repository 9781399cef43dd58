using System.Buffers.Text;
using System.Globalization;
using System.Linq.Expressions;
using System.Text;
using System.Text.Json;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BackupControlPlane.Api.Arm;

/// <summary>
/// ARM paging in the database: one page of <c>Emulator:PageSize</c> rows is read, in a stable order, and the
/// <c>nextLink</c> carries an opaque <c>$skiptoken</c>. The token is a position (the last sort key sent, and how many
/// rows with that key were sent), not an offset: rows added before it (new jobs, newest first) or removed (pruned)
/// never shift the pages still to come, so a client following nextLink sees no row twice.
/// </summary>
public static class ArmPaging
{
    public sealed record Page<T>(IReadOnlyList<T> Rows, string? NextLink);

    /// <summary>
    /// Reads the page of <paramref name="query"/> that the request's <c>$skiptoken</c> points at, ordered by
    /// <paramref name="key"/> (then <paramref name="tieBreak"/>, which must make the order total). Keys are strings or
    /// <see cref="DateTimeOffset"/>s.
    /// </summary>
    public static async Task<Page<T>> PageAsync<T, TKey>(this IQueryable<T> query, HttpContext http, Expression<Func<T, TKey>> key, bool descending,
        CancellationToken ct, Expression<Func<T, object>>? tieBreak = null, int? pageSize = null)
    {
        var options = http.RequestServices.GetRequiredService<IOptions<EmulatorOptions>>().Value;
        var position = Position.Parse(http.Request.Query["$skiptoken"]);
        var ordered = descending ? query.OrderByDescending(key) : query.OrderBy(key);
        if (tieBreak is not null) ordered = ordered.ThenBy(tieBreak);
        IQueryable<T> page = ordered;
        var skip = 0;
        if (position is not null)
        {
            // At or past the last key sent: the rows sharing that key come first, and those already sent are skipped.
            page = page.Where(AtOrPast(key, KeyCodec<TKey>.Decode(position.Key), descending));
            skip = position.SentWithKey;
        }
        var size = pageSize ?? options.PageSize;
        var rows = await page.Skip(skip).Take(size + 1).ToListAsync(ct);
        if (rows.Count <= size) return new Page<T>(rows, null);

        rows.RemoveAt(rows.Count - 1);
        var read = KeyReaders<T, TKey>.For(key);
        var last = KeyCodec<TKey>.Encode(read(rows[^1]));
        var sent = rows.Count(r => KeyCodec<TKey>.Encode(read(r)) == last) + (position?.Key == last ? position.SentWithKey : 0);
        return new Page<T>(rows, NextLink(http, options, new Position(last, sent).ToToken()));
    }

    public static ArmList<TOut> ToArmList<T, TOut>(this Page<T> page, Func<T, TOut> map) => new(page.Rows.Select(map).ToList(), page.NextLink);

    /// <summary>The request's own URL with the new token (other query parameters, api-version and $filter included, kept).</summary>
    public static string NextLink(HttpContext http, EmulatorOptions options, string token)
    {
        var query = QueryHelpers.ParseQuery(http.Request.QueryString.Value)
            .Where(q => q.Key != "$skiptoken").SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string?>(q.Key, v)))
            .Append(new KeyValuePair<string, string?>("$skiptoken", token));
        var baseUri = string.IsNullOrEmpty(options.PublicBaseUrl) ? $"{http.Request.Scheme}://{http.Request.Host}" : options.PublicBaseUrl.TrimEnd('/');
        return QueryHelpers.AddQueryString(baseUri + http.Request.Path, query);
    }

    private static Expression<Func<T, bool>> AtOrPast<T, TKey>(Expression<Func<T, TKey>> key, TKey value, bool descending)
    {
        // A member of a constant object, as a C# closure compiles: EF sends it as a parameter, not a literal.
        Expression bound = Expression.Property(Expression.Constant(new Bound<TKey>(value)), nameof(Bound<TKey>.Value));
        Expression left = key.Body;
        if (typeof(TKey) == typeof(string))
        {
            // Strings have no < operator; EF translates string.Compare(a, b) against 0 into a plain comparison.
            left = Expression.Call(typeof(string).GetMethod(nameof(string.Compare), [typeof(string), typeof(string)])!, left, bound);
            bound = Expression.Constant(0);
        }
        var body = descending ? Expression.LessThanOrEqual(left, bound) : Expression.GreaterThanOrEqual(left, bound);
        return Expression.Lambda<Func<T, bool>>(body, key.Parameters);
    }

    private sealed record Bound<TKey>(TKey Value);

    /// <summary>
    /// The key's compiled reader, once per key: each list call builds a new expression for the same key, and compiling
    /// it per page (a dynamic method, JIT-compiled each time) was a measurable share of the service's CPU in a round
    /// whose clients poll the jobs list (docs/performance.md). Keys are a handful of member accesses, so this stays small.
    /// </summary>
    private static class KeyReaders<T, TKey>
    {
        private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Func<T, TKey>> Compiled = new();

        public static Func<T, TKey> For(Expression<Func<T, TKey>> key) => Compiled.GetOrAdd(key.Body.ToString(), _ => key.Compile());
    }

    /// <summary>Where the next page starts; sent to clients as base64url JSON, which they treat as opaque.</summary>
    private sealed record Position(string Key, int SentWithKey)
    {
        public string ToToken() => Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(this));

        public static Position? Parse(string? token)
        {
            if (string.IsNullOrEmpty(token)) return null;
            try
            {
                if (JsonSerializer.Deserialize<Position>(Base64Url.DecodeFromChars(token)) is { Key: not null, SentWithKey: >= 0 } position) return position;
            }
            catch (Exception e) when (e is FormatException or JsonException)
            {
                // Answered below: a token this service did not write.
            }
            throw ArmException.BadRequest($"The $skiptoken '{(token.Length > 80 ? token[..80] + "…" : token)}' is not one this service wrote; follow the nextLink of the previous page.",
                "InvalidSkipToken");
        }
    }

    private static class KeyCodec<TKey>
    {
        public static string Encode(TKey value) => value switch
        {
            string s => s,
            DateTimeOffset d => d.UtcTicks.ToString(CultureInfo.InvariantCulture),
            _ => throw new NotSupportedException($"Paging by a {typeof(TKey).Name} key"),
        };

        public static TKey Decode(string text)
        {
            if (typeof(TKey) == typeof(string)) return (TKey)(object)text;
            if (typeof(TKey) == typeof(DateTimeOffset) && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                && ticks <= DateTimeOffset.MaxValue.UtcTicks)
                return (TKey)(object)new DateTimeOffset(ticks, TimeSpan.Zero);
            throw ArmException.BadRequest("The $skiptoken does not fit this list; follow the nextLink of the previous page.", "InvalidSkipToken");
        }
    }
}
