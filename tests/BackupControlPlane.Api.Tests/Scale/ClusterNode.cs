using System.Diagnostics;
using BackupControlPlane.Api.Tests.Infrastructure;
using System.Text;

namespace BackupControlPlane.Api.Tests.Scale;

/// <summary>
/// One node of a several-node deployment: the real service as its own process (<c>dotnet BackupControlPlane.Api.dll</c>)
/// on its own port, configured on the command line. <see cref="Kill"/> is kill -9 (SIGKILL): no shutdown code runs.
/// </summary>
public sealed class ClusterNode : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly EventHandler _onExit;

    private ClusterNode(string name, Process process, Uri baseAddress, IReadOnlyDictionary<string, string> settings)
    {
        Name = name;
        _process = process;
        BaseAddress = baseAddress;
        Settings = settings;
        _onExit = (_, _) => Kill();
        AppDomain.CurrentDomain.ProcessExit += _onExit;
    }

    public string Name { get; }
    public Uri BaseAddress { get; }
    public IReadOnlyDictionary<string, string> Settings { get; }
    public bool HasExited => _process.HasExited;
    public string Log { get { lock (_log) return _log.ToString(); } }

    /// <param name="settings">Configuration keys and values; <c>Urls</c> is set from <paramref name="baseAddress"/>.</param>
    public static async Task<ClusterNode> StartAsync(string name, Uri baseAddress, IReadOnlyDictionary<string, string> settings, TimeSpan readyTimeout)
    {
        var psi = ServiceCommand.For(baseAddress, settings.Select(s => $"--{s.Key}={s.Value}"));

        var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start node {name}.");
        var node = new ClusterNode(name, process, baseAddress, settings);
        process.OutputDataReceived += (_, e) => node.Append(e.Data);
        process.ErrorDataReceived += (_, e) => node.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await node.WaitUntilReadyAsync(readyTimeout);
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
        return node;
    }

    /// <summary>The same node again (same port, same settings), as an orchestrator restarts a crashed replica.</summary>
    public Task<ClusterNode> RestartAsync(TimeSpan readyTimeout) => StartAsync(Name, BaseAddress, Settings, readyTimeout);

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_log) _log.AppendLine(line);
    }

    public Task WaitUntilReadyAsync(TimeSpan timeout) =>
        Readiness.WaitAsync(BaseAddress, _process, () => Log, timeout);

    /// <summary>kill -9: the process ends at once, in the middle of whatever it was doing.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException) { }
    }

    public async ValueTask DisposeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= _onExit;
        Kill();
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            try { await _process.WaitForExitAsync(cts.Token); } catch (OperationCanceledException) { }
        }
        _process.Dispose();
    }
}

/// <summary>
/// What a Kubernetes Service or a load balancer does for agents and clients: spreads requests over the nodes in turn
/// and skips a node that refuses connections (dead).
/// </summary>
public sealed class NodeBalancer(IReadOnlyList<Uri> nodes) : DelegatingHandler(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue })
{
    private int _next;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var start = Interlocked.Increment(ref _next);
        for (var attempt = 0; ; attempt++)
        {
            var node = nodes[(int)((uint)(start + attempt) % nodes.Count)];
            request.RequestUri = new UriBuilder(request.RequestUri!) { Scheme = node.Scheme, Host = node.Host, Port = node.Port }.Uri;
            try
            {
                return await base.SendAsync(request, ct);
            }
            catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.ConnectionError && attempt < nodes.Count - 1)
            {
                // Refused: nothing was sent, so trying the next node is safe for any method.
            }
        }
    }
}
