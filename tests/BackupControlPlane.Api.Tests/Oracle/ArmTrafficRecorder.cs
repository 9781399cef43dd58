using System.Collections.Concurrent;

namespace BackupControlPlane.Api.Tests.Oracle;

public sealed record ArmExchange(string Method, string PathAndQuery, int Status, string Body);

/// <summary>
/// Sits in front of <see cref="Infrastructure.EmulatorApp.Client"/> and keeps every ARM answer (/subscriptions/...)
/// the tests receive, so the oracle can check the whole suite's traffic against Azure's spec. A queue append per
/// response: tests run in parallel and must not wait on each other here.
/// </summary>
public sealed class ArmTrafficRecorder : DelegatingHandler
{
    private static readonly ConcurrentQueue<ArmExchange> Recorded = new();

    /// <summary>Everything recorded so far, by every app instance of the run.</summary>
    public static IReadOnlyList<ArmExchange> All => Recorded.ToArray();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        var uri = request.RequestUri!;
        if (uri.AbsolutePath.StartsWith("/subscriptions/", StringComparison.OrdinalIgnoreCase))
        {
            // Buffers the content; the caller reads it again from the buffer.
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            Recorded.Enqueue(new ArmExchange(request.Method.Method, uri.PathAndQuery, (int)response.StatusCode, body));
        }
        return response;
    }
}
