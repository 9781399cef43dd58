using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using BackupControlPlane.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Xunit.Abstractions;

namespace BackupControlPlane.Api.Tests.Hostile;

/// <summary>
/// Thousands of generated hostile requests across every mapped route. For every answer: never a 5xx, and an error
/// body in the route family's shape (ARM's envelope under /subscriptions, ProblemDetails elsewhere). For every
/// rejected (4xx) request: the database is byte-for-byte unchanged.
/// </summary>
/// <remarks>
/// How "unchanged" is proven without sending one request at a time: requests go out in concurrent batches, with a
/// fingerprint of every table before and after each batch. A batch in which nothing that can write was accepted must
/// leave the fingerprint as it was. A batch in which some request was accepted (a fuzzed request may well be valid)
/// proves nothing about its rejected members, so those are sent again in smaller batches, until each rejected
/// request has been seen in a batch with no accepted writes; the rare last ones go alone.
/// Set FUZZ_SEED to replay a run; the seed is printed either way.
/// </remarks>
// Ten thousand requests with a fingerprint of every table around each batch: CPU-bound, so it runs alone.
[Collection(Features.Agents.HeavyAloneCollection.Name)]
public sealed class HostileInputTests(ITestOutputHelper output)
{
    private const int Requests = 10_000;
    private const int Parallelism = 8;

    [Fact]
    public async Task Ten_thousand_hostile_requests_never_get_a_5xx_always_get_the_right_error_shape_and_rejected_ones_change_nothing()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("FUZZ_SEED"), out var s) ? s : 20261125;
        output.WriteLine($"FUZZ_SEED={seed}");
        // No background writer may run while requests are judged: task leases and timeouts far beyond the test's length.
        using var app = await EmulatorApp.StartAsync(settings: new()
        {
            ["Emulator:AgentTaskLease"] = "01:00:00", ["Emulator:AgentTaskTimeout"] = "1.00:00:00",
        });
        var targets = await SeedAsync(app);
        var routes = RequestFuzzer.Routes(app.Service<EndpointDataSource>());
        var fuzzer = new RequestFuzzer(seed, routes, targets);
        var fingerprint = new DatabaseFingerprint(Path.Combine(app.DataDirectory, "backup.db"));
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, MaxConnectionsPerServer = Parallelism })
        {
            BaseAddress = app.Client.BaseAddress, Timeout = TimeSpan.FromSeconds(90),
        };

        var failures = new ConcurrentQueue<string>();
        var statuses = new ConcurrentDictionary<int, int>();
        var sent = 0;
        var closedOnOversize = 0;
        var kestrelRejections = 0;
        var slow = new ConcurrentBag<(double Ms, string What)>();
        var fingerprintTime = new Stopwatch();
        var clock = Stopwatch.StartNew();

        async Task<List<(FuzzRequest Request, int Status)>> SendAsync(IReadOnlyList<FuzzRequest> batch)
        {
            var results = new ConcurrentBag<(FuzzRequest, int)>();
            await Parallel.ForEachAsync(batch, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (request, ct) =>
            {
                using var message = request.ToMessage();
                var started = Stopwatch.GetTimestamp();
                int status;
                // An oversize upload gets its own connection: the server answers 413 and closes it mid-upload, and a
                // pooled connection in that state would fail the next, innocent request.
                using var own = request.Mutation.Contains("huge-body") ? new HttpClient { BaseAddress = http.BaseAddress } : null;
                try
                {
                    using var response = await (own ?? http).SendAsync(message, ct);
                    status = (int)response.StatusCode;
                    var body = await response.Content.ReadAsStringAsync(ct);
                    if (IsKestrelRejection(response, body)) Interlocked.Increment(ref kestrelRejections);
                    else if (ShapeProblem(request, response, body) is { } problem) failures.Enqueue($"{problem}: {request}\n    answer {status}: {Excerpt(body)}");
                }
                catch (HttpRequestException e) when (request.Mutation.Contains("huge-body"))
                {
                    // The server may answer 413 and close before the client finished uploading a body it refused.
                    status = 413;
                    Interlocked.Increment(ref closedOnOversize);
                    _ = e;
                }
                catch (HttpRequestException e)
                {
                    status = 0;
                    failures.Enqueue($"no answer ({e.InnerException?.Message ?? e.Message}): {request}");
                }
                catch (TaskCanceledException) when (!ct.IsCancellationRequested)
                {
                    // A request the service never answers is the worst answer of all: name it rather than abort the run.
                    status = 0;
                    failures.Enqueue($"no answer within {http.Timeout.TotalSeconds:0} s: {request}");
                }
                slow.Add((Stopwatch.GetElapsedTime(started).TotalMilliseconds, $"{status} {request.Mutation} {request.Method} {request.Route}"));
                Interlocked.Increment(ref sent);
                statuses.AddOrUpdate(status, 1, (_, c) => c + 1);
                results.Add((request, status));
            });
            return results.ToList();
        }

        // Batches of decreasing size: the first pass proves most rejected requests; the rest are sent again.
        var pending = fuzzer.Generate(Requests).ToList();
        var proven = 0;
        var (last, lastRows) = await fingerprint.TakeAsync();
        foreach (var batchSize in new[] { 20, 50, 5, 1, 1 })
        {
            var unproven = new List<FuzzRequest>();
            foreach (var batch in pending.Chunk(batchSize))
            {
                var results = await SendAsync(batch);
                fingerprintTime.Start();
                var (now, rows) = await fingerprint.TakeAsync();
                fingerprintTime.Stop();
                var rejected = results.Where(r => r.Status >= 400).Select(r => r.Request).ToList();
                if (results.Any(r => r.Status < 400 && MayWrite(r.Request)))
                    unproven.AddRange(rejected);
                else if (now != last)
                    failures.Enqueue($"The database changed during a batch in which every request that could write was rejected " +
                        $"(changed: {Changed(lastRows, rows)}):\n    " + string.Join("\n    ", batch.Select(r => r.ToString())));
                else
                    proven += rejected.Count;
                (last, lastRows) = (now, rows);
            }
            output.WriteLine($"batches of {batchSize}: {sent} sent so far, {clock.Elapsed.TotalSeconds:F1} s, {unproven.Count} rejected requests to prove again");
            pending = unproven;
            if (pending.Count == 0) break;
        }

        var pairs = routes.SelectMany(r => RequestFuzzer.Methods(r).Select(m => m + " " + r.RoutePattern.RawText)).Distinct().ToList();
        output.WriteLine($"{sent} requests ({Requests} generated) over {routes.Select(r => r.RoutePattern.RawText).Distinct().Count()} routes / {pairs.Count} route-method pairs " +
            $"in {clock.Elapsed.TotalSeconds:F1} s; statuses: {string.Join(", ", statuses.OrderBy(x => x.Key).Select(x => $"{x.Key}×{x.Value}"))}; " +
            $"{proven} rejected requests proven to leave the database unchanged, {pending.Count} unproven; " +
            $"{closedOnOversize} oversize uploads cut off by the server's 413, {kestrelRejections} malformed requests refused by Kestrel before the app.");
        output.WriteLine($"fingerprints: {fingerprintTime.Elapsed.TotalSeconds:F1} s; slowest: " + string.Join("; ", slow.OrderByDescending(x => x.Ms).Take(8).Select(x => $"{x.Ms:F0} ms {x.What}")));
        foreach (var g in slow.GroupBy(x => x.What.Split(' ')[1].Split('+')[0]).OrderByDescending(g => g.Sum(x => x.Ms)).Take(8))
            output.WriteLine($"  {g.Key}: {g.Count()} requests, {g.Sum(x => x.Ms) / 1000:F1} s total");
        // The service's own account of a 5xx: the first error lines it logged.
        if (!failures.IsEmpty) foreach (var line in CapturedLogs.All.Where(l => l.Contains("Exception", StringComparison.Ordinal)).Take(5)) output.WriteLine(line);
        Assert.True(failures.IsEmpty, $"{failures.Count} failures (FUZZ_SEED={seed}):\n" + string.Join("\n", failures.Take(25)));
        Assert.Empty(pending);
        Assert.True(sent >= Requests);
    }

    /// <summary>
    /// Kestrel refuses some requests before any app code runs (a NUL in the decoded path, an oversize request line or
    /// header block) with a bodiless 400, 414 or 431. The app itself never answers a bodiless 4xx: status code pages
    /// give every one a body, so these can be told apart.
    /// </summary>
    private static bool IsKestrelRejection(HttpResponseMessage response, string body) =>
        body.Length == 0 && (int)response.StatusCode is 400 or 414 or 431 && response.Content.Headers.ContentType is null;

    /// <summary>Whether an accepted request may have written: any write method, and the agent routes (a poll is a heartbeat).</summary>
    private static bool MayWrite(FuzzRequest r) =>
        r.Method is not ("GET" or "HEAD" or "OPTIONS" or "TRACE") || r.PathAndQuery.StartsWith("/agent/", StringComparison.OrdinalIgnoreCase);

    private static string Changed(Dictionary<string, (long Rows, string Hash)> before, Dictionary<string, (long Rows, string Hash)> after) =>
        string.Join(", ", after.Where(t => !before.TryGetValue(t.Key, out var b) || b != t.Value)
            .Select(t => $"{t.Key} {(before.TryGetValue(t.Key, out var b) ? b.Rows : 0)}→{t.Value.Rows} rows"));

    private static string Excerpt(string body) => body.Length > 300 ? body[..300] + "…" : body;

    /// <summary>What is wrong with an answer, or null: a 5xx, or an error body not in the shape of the route family.</summary>
    internal static string? ShapeProblem(FuzzRequest request, HttpResponseMessage response, string body)
    {
        var status = (int)response.StatusCode;
        if (status >= 500) return "5xx";
        if (status < 400 || request.Method == "HEAD") return null;
        var arm = IsArmPath(response.RequestMessage!.RequestUri!);
        var media = response.Content.Headers.ContentType?.MediaType;
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (arm)
            {
                if (media != "application/json") return $"ARM error with content type {media}";
                if (!root.TryGetProperty("error", out var error) || error.ValueKind != JsonValueKind.Object) return "ARM error without 'error'";
                if (!error.TryGetProperty("code", out var code) || code.ValueKind != JsonValueKind.String || code.GetString()!.Length == 0) return "ARM error without 'error.code'";
                if (!error.TryGetProperty("message", out var message) || message.ValueKind != JsonValueKind.String || message.GetString()!.Length == 0) return "ARM error without 'error.message'";
                return null;
            }
            if (IsTokenEndpoint(response.RequestMessage!.RequestUri!) && media == "application/json")
            {
                // Token endpoints answer OAuth 2.0's error shape (RFC 6749 §5.2), which MSAL and azure-identity parse;
                // what the pipeline refuses before them (405, 413, 429) is ProblemDetails like any of our routes.
                return root.TryGetProperty("error", out var oauth) && oauth.ValueKind == JsonValueKind.String ? null : "OAuth error without 'error'";
            }
            if (IsAppServiceIdentityEndpoint(response.RequestMessage!.RequestUri!) && media == "application/json")
            {
                // App Service's managed-identity endpoint answers {statusCode, message, correlationId}, which MSAL parses.
                return root.TryGetProperty("statusCode", out var code) && code.ValueKind == JsonValueKind.Number && code.GetInt32() == status
                    && root.TryGetProperty("message", out var text) && text.ValueKind == JsonValueKind.String ? null : "App Service identity error without 'statusCode'/'message'";
            }
            if (media != "application/problem+json") return $"error on our own route with content type {media}";
            if (!root.TryGetProperty("status", out var s) || s.ValueKind != JsonValueKind.Number || s.GetInt32() != status) return "ProblemDetails without the matching 'status'";
            if (!root.TryGetProperty("title", out var title) || title.ValueKind != JsonValueKind.String) return "ProblemDetails without 'title'";
            return null;
        }
        catch (JsonException)
        {
            return $"error body is not JSON ({media})";
        }
    }

    private static bool IsAppServiceIdentityEndpoint(Uri uri) => uri.AbsolutePath.TrimEnd('/').Equals("/msi/token", StringComparison.OrdinalIgnoreCase);

    private static bool IsTokenEndpoint(Uri uri) =>
        uri.AbsolutePath.TrimEnd('/').EndsWith("/oauth2/token", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Whether the server treats the path as an ARM route: it decodes every escape but %2F, removes dot segments and
    /// collapses '//' (Program.cs) before checking for /subscriptions or /providers (ArmResults.IsArmPath), so the test does the same.
    /// </summary>
    internal static bool IsArmPath(Uri uri)
    {
        var segments = new List<string>();
        foreach (var raw in uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var decoded = Uri.UnescapeDataString(raw.Replace("%2F", "%252F", StringComparison.OrdinalIgnoreCase));
            if (decoded == ".") continue;
            if (decoded == "..") { if (segments.Count > 0) segments.RemoveAt(segments.Count - 1); continue; }
            segments.Add(decoded);
        }
        return segments.Count > 0 && (segments[0].Equals("subscriptions", StringComparison.OrdinalIgnoreCase) || segments[0].Equals("providers", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The world the fuzzer aims at: a protected VM in a vault, and agent credentials, one of them superseded.</summary>
    private static async Task<FuzzTargets> SeedAsync(EmulatorApp app)
    {
        const string rg = "rg-fuzz";
        await app.Arm.ProtectedVmAsync(rg, "v1", "vm1");
        var token = await app.ManagedIdentityTokenAsync();
        var secret = await app.ProvisioningSecretAsync("vm1");
        using var first = await app.RegisterAgentAsync("vm1");
        var replayed = first.Credential!;
        using var second = await app.RegisterAgentAsync("vm1");
        return new FuzzTargets(EmulatorApp.Subscription, rg, "vm1", "v1", await app.VmIdAsync("vm1"), token, second.Credential!, replayed, secret);
    }
}
