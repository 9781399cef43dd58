using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace BackupControlPlane.Api.Tests.Sdk;

/// <summary>
/// Every request the app served, as the server saw it (method, path, api-version, which identity headers came):
/// proof of what an out-of-process client really sent. Add with <c>services: s => s.AddSingleton&lt;IStartupFilter&gt;(recorder)</c>.
/// </summary>
public sealed class ServedRequests : IStartupFilter
{
    public sealed record Request(string Method, string Path, string? ApiVersion, bool MetadataHeader, string? IdentityHeader);

    private readonly ConcurrentQueue<Request> _seen = new();

    public IReadOnlyList<Request> All => _seen.ToArray();

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (HttpContext http, RequestDelegate inner) =>
        {
            _seen.Enqueue(new Request(http.Request.Method, http.Request.Path.Value ?? "", http.Request.Query["api-version"].FirstOrDefault(),
                http.Request.Headers.ContainsKey("Metadata"), http.Request.Headers["X-IDENTITY-HEADER"].FirstOrDefault()));
            await inner(http);
        });
        next(app);
    };

    /// <summary>The api-versions sent to the paths <paramref name="path"/> selects.</summary>
    public IReadOnlySet<string?> ApiVersionsFor(Func<string, bool> path) => All.Where(r => path(r.Path)).Select(r => r.ApiVersion).ToHashSet();
}
