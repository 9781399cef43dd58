using System.Net;
using System.Net.Sockets;
using Azure.Storage.Blobs;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace BackupControlPlane.Api.Tests.Infrastructure;

/// <summary>
/// "Flush, then commit" shared by many callers: a flush request answers only for writes acknowledged before it was
/// sent, so a caller that arrives while one is in flight must wait for the next, and the callers waiting together
/// share that one request. A storage endpoint stands in for Azurite's flush route and holds each request until told.
/// </summary>
public sealed class BlobDurabilityTests : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly List<TaskCompletionSource<int>> _answers = [];
    private readonly BlobDurability _durability;

    public BlobDurabilityTests()
    {
        var port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _ = ServeAsync();
        _durability = new BlobDurability(new BlobServiceClient(new Uri($"http://127.0.0.1:{port}/devstoreaccount1")), NullLogger<BlobDurability>.Instance);
    }

    [Fact]
    public async Task A_caller_arriving_during_a_flush_waits_for_the_next_one_and_waiting_callers_share_it()
    {
        var first = _durability.FlushAsync(CancellationToken.None);
        await Requests(1);
        var second = _durability.FlushAsync(CancellationToken.None);
        var third = _durability.FlushAsync(CancellationToken.None);

        Answer(0, 200);
        await first;
        await Requests(2); // sent once the first was answered: it covers what the second and third callers wrote
        Assert.False(second.IsCompleted, "the first flush was sent before this caller arrived: it cannot answer for its writes");
        Assert.False(third.IsCompleted);

        Answer(1, 200);
        await Task.WhenAll(second, third);
        Assert.Equal(2, Count()); // one request for both
    }

    [Fact]
    public async Task A_failed_flush_fails_everyone_waiting_on_it_and_the_next_caller_sends_a_new_one()
    {
        var first = _durability.FlushAsync(CancellationToken.None);
        await Requests(1);
        Answer(0, 500);
        await Assert.ThrowsAsync<BlobDurabilityException>(() => first);

        var again = _durability.FlushAsync(CancellationToken.None);
        await Requests(2);
        Answer(1, 200);
        await again;
    }

    [Fact]
    public async Task A_caller_that_gives_up_leaves_the_shared_flush_to_the_others()
    {
        var first = _durability.FlushAsync(CancellationToken.None);
        await Requests(1);
        using var giveUp = new CancellationTokenSource();
        var impatient = _durability.FlushAsync(giveUp.Token);
        var patient = _durability.FlushAsync(CancellationToken.None);
        await giveUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => impatient);

        Answer(0, 200);
        await first;
        await Requests(2);
        Answer(1, 200);
        await patient;
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { return; }
            var answer = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_answers) _answers.Add(answer);
            Assert.Equal(BlobDurability.FlushPath, context.Request.Url!.AbsolutePath);
            _ = answer.Task.ContinueWith(t => { context.Response.StatusCode = t.Result; context.Response.Close(); }, TaskScheduler.Default);
        }
    }

    private Task Requests(int count) => Poll.Until(() => Task.FromResult(Count() >= count), $"{count} flush requests");

    private int Count() { lock (_answers) return _answers.Count; }

    private void Answer(int request, int status) { lock (_answers) _answers[request].SetResult(status); }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    public ValueTask DisposeAsync()
    {
        lock (_answers) foreach (var a in _answers) a.TrySetResult(200);
        _listener.Close();
        _durability.Dispose();
        return ValueTask.CompletedTask;
    }
}
