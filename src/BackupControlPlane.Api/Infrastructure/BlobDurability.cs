using System.Net;
using Azure.Storage.Blobs;

namespace BackupControlPlane.Api.Infrastructure;

/// <summary>
/// "Flush, then commit": makes every blob write storage has acknowledged durable before the service commits a row
/// that relies on it (a task whose logs container the agent will write to, a recovery point on the agent's snapshots,
/// a vault copy, restored disks). Azurite keeps its blob metadata in memory and saves it every 5 s, so without this a
/// kill of the process tree loses blobs the database still points to. The Azurite this project starts carries a flush
/// route (tools/azurite/durable-metadata.cjs); any other blob endpoint (a plain Azurite, Azure Storage) answers it with
/// an error of its own, and then an acknowledged write is taken as durable, as Azure Storage's are.
/// <para>
/// A group commit on this side too: at most one flush request is in flight and one waits behind it, and every caller
/// that arrives meanwhile joins the waiting one. A flush answers for every write acknowledged before its request was
/// sent, and the waiting one is sent only after everyone who joined it had called, so each caller is covered. Without
/// it, a round's thousands of callers each sent a request of their own through a bounded connection pool, and report
/// handlers queued for seconds behind one another's saves (docs/performance.md).
/// </para>
/// </summary>
public sealed class BlobDurability(BlobServiceClient service, ILogger<BlobDurability> logger) : IDisposable
{
    public const string FlushPath = "/__bcp/flush";

    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = 1 }) { Timeout = TimeSpan.FromSeconds(30) };
    private readonly Lock _gate = new();
    private Task? _inFlight; // the request sent, or about to be
    private Task? _next;     // the one that will be sent when _inFlight ends; callers join it
    private int _support;    // 0 unknown, 1 flush route answers, -1 storage without one

    /// <summary>True once the endpoint has shown it has no flush route (writes are durable when acknowledged, or not ours to make so).</summary>
    public bool Unsupported => Volatile.Read(ref _support) < 0;

    /// <summary>
    /// Returns once every write acknowledged before the call is on disk. Throws when storage cannot confirm it (down,
    /// or the save failed): the caller must then not commit what relies on those writes, and its stage is retried.
    /// The shared flush goes on when one caller gives up (<paramref name="ct"/>): the others still wait for it.
    /// </summary>
    public Task FlushAsync(CancellationToken ct)
    {
        if (Volatile.Read(ref _support) < 0) return Task.CompletedTask;
        Task mine;
        lock (_gate)
        {
            if (_next is not null) mine = _next;
            else if (_inFlight is null) mine = _inFlight = SendAndReleaseAsync();
            else mine = _next = AfterInFlightAsync(_inFlight);
        }
        return mine.WaitAsync(ct);
    }

    /// <summary>The waiting flush: sent once the one in flight has ended (however it ended), and from then on no longer joinable.</summary>
    private async Task AfterInFlightAsync(Task inFlight)
    {
        await Task.Yield(); // back to the caller first: it publishes this task as _next before anything here takes the lock
        await inFlight.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing); // its outcome is its own callers'
        Task sending;
        lock (_gate)
        {
            sending = _inFlight = SendAndReleaseAsync();
            _next = null;
        }
        await sending;
    }

    private async Task SendAndReleaseAsync()
    {
        await Task.Yield(); // the request is sent outside the lock
        try
        {
            await SendAsync();
        }
        finally
        {
            lock (_gate)
            {
                // The waiting flush (if any) takes over as the one in flight; with none waiting, the next caller sends its own.
                if (_next is null) _inFlight = null;
            }
        }
    }

    private async Task SendAsync()
    {
        if (Volatile.Read(ref _support) < 0) return;
        var uri = new UriBuilder(service.Uri) { Path = FlushPath, Query = "" }.Uri;
        using var response = await _http.PostAsync(uri, content: null, CancellationToken.None);
        if (response.IsSuccessStatusCode)
        {
            Volatile.Write(ref _support, 1);
            return;
        }
        if (Volatile.Read(ref _support) == 0 && response.StatusCode is >= HttpStatusCode.BadRequest and < HttpStatusCode.InternalServerError)
        {
            Volatile.Write(ref _support, -1);
            logger.LogWarning("Blob storage at {Endpoint} has no durability flush (answered {Status}); acknowledged writes are taken as durable. " +
                "An Azurite killed with the service can then lose its last seconds of writes: start it through the service, or with node --require tools/azurite/{Preload}.",
                service.Uri, (int)response.StatusCode, AzuriteProcess.DurabilityPreload);
            return;
        }
        throw new BlobDurabilityException($"Blob storage could not confirm its writes are durable (flush answered {(int)response.StatusCode}).");
    }

    public void Dispose() => _http.Dispose();
}

public sealed class BlobDurabilityException(string message) : Exception(message);
