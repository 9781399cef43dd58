using BackupControlPlane.Api.Data;
using Microsoft.Net.Http.Headers;

namespace BackupControlPlane.Api.Arm;

/// <summary>
/// ETags on ARM resources and the conditional requests built on them (RFC 9110 §13): <c>If-Match</c> (strong
/// comparison; <c>*</c> means "exists") and <c>If-None-Match</c> (weak comparison; <c>*</c> means "does not exist").
/// A failed condition answers 412 PreconditionFailed.
/// </summary>
public static class ArmPreconditions
{
    public const string PreconditionFailed = "PreconditionFailed";

    /// <summary>The tag as sent in the ETag header and the resource's eTag property: a quoted strong tag.</summary>
    public static string Format(string etag) => $"\"{etag}\"";

    public static void SetETag(HttpContext http, string etag) => http.Response.Headers.ETag = Format(etag);

    public static bool HasConditions(HttpRequest request) =>
        request.Headers.ContainsKey(HeaderNames.IfMatch) || request.Headers.ContainsKey(HeaderNames.IfNoneMatch);

    /// <summary>Throws 412 unless the request's conditions hold for the resource's current tag (null: it does not exist).</summary>
    public static void Check(HttpContext http, string? current, string what)
    {
        var headers = http.Request.Headers;
        if (headers.ContainsKey(HeaderNames.IfMatch))
        {
            var tags = Parse(headers[HeaderNames.IfMatch].ToString());
            var holds = current is not null && tags.Any(t => t.Value == "*" || (!t.Weak && t.Value == current));
            if (!holds)
                throw new ArmException(412, PreconditionFailed, current is null
                    ? $"If-Match failed: {what} does not exist."
                    : $"If-Match failed: {what} has changed (its ETag is {Format(current)}); read it again and retry.");
        }
        if (headers.ContainsKey(HeaderNames.IfNoneMatch))
        {
            var tags = Parse(headers[HeaderNames.IfNoneMatch].ToString());
            var fails = current is not null && tags.Any(t => t.Value == "*" || t.Value == current);
            if (fails)
                throw new ArmException(412, PreconditionFailed, tags.Any(t => t.Value == "*")
                    ? $"If-None-Match: * failed: {what} already exists."
                    : $"If-None-Match failed: {what} still has ETag {Format(current!)}.");
        }
    }

    private static List<(bool Weak, string Value)> Parse(string header) =>
        header.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(t =>
        {
            var weak = t.StartsWith("W/", StringComparison.Ordinal);
            if (weak) t = t[2..];
            // Clients that send the tag unquoted mean the same tag.
            return (weak, t.Length >= 2 && t[0] == '"' && t[^1] == '"' ? t[1..^1] : t);
        }).ToList();
}
