using System.Net;
using System.Text;
using BackupControlPlane.Agent;
using BackupControlPlane.Contracts;
using Microsoft.Extensions.Logging.Abstractions;

namespace BackupControlPlane.Api.Tests.Features.Agents;

/// <summary>
/// A fleet outlives failed discoveries: a control plane under load (a 10,000-VM round) cut the fleet list off mid-body,
/// and the whole fleet, with every agent in it, ended on the exception. Now each failure is a warning and the next
/// discovery goes on.
/// </summary>
public sealed class AgentFleetDiscoveryTests
{
    [Fact]
    public async Task Discoveries_cut_off_truncated_or_timed_out_are_retried_and_the_fleet_runs_on()
    {
        var handler = new FailingThenEmptyFleet();
        using var http = new HttpClient(handler) { BaseAddress = new Uri("http://control-plane.invalid") };
        var fleet = new AgentFleet(http, NullLoggerFactory.Instance, new AgentFleetOptions { DiscoveryInterval = TimeSpan.FromMilliseconds(1) });
        using var stop = new CancellationTokenSource();
        var run = fleet.RunAsync(stop.Token);

        await handler.EmptyListServed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(run.IsCompleted, "the fleet is still running after three failed discoveries");
        stop.Cancel();
        await run;
        // At least the three failures and the empty list: with a 1 ms interval the fleet may discover once more before
        // the cancellation lands (CI saw 5), which is the fleet running on, not a failure.
        Assert.True(handler.Calls >= 4, $"discoveries made: {handler.Calls}");
    }

    private sealed class FailingThenEmptyFleet : HttpMessageHandler
    {
        public int Calls;
        public readonly TaskCompletionSource EmptyListServed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            Assert.Equal(AgentRoutes.Fleet, request.RequestUri!.AbsolutePath);
            switch (Interlocked.Increment(ref Calls))
            {
                case 1: return Task.FromResult(Json(new CutOffStream()));
                case 2: return Task.FromResult(Json(new MemoryStream(Encoding.UTF8.GetBytes("[{\"vmId\":"))));
                case 3: throw new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout.", new TimeoutException());
                default:
                    EmptyListServed.TrySetResult();
                    return Task.FromResult(Json(new MemoryStream("[]"u8.ToArray())));
            }
        }

        private static HttpResponseMessage Json(Stream body) =>
            new(HttpStatusCode.OK) { Content = new StreamContent(body) { Headers = { ContentType = new("application/json") } } };
    }

    /// <summary>A body whose connection ends after its first bytes, as HttpClient reports it.</summary>
    private sealed class CutOffStream : MemoryStream
    {
        private bool _sent;

        public CutOffStream() : base("[{\"vmId\":\"a"u8.ToArray()) { }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
        {
            if (_sent) throw new HttpIOException(HttpRequestError.ResponseEnded, "The response ended prematurely.");
            _sent = true;
            return base.ReadAsync(buffer, ct);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) => ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();
    }
}
