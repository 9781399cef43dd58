namespace BackupControlPlane.Benchmarks.Harness;

/// <summary>
/// The service under test as one or more nodes: SQLite (one node, the context's service), or PostgreSQL with one or
/// two nodes on one fresh database, as the tests' TwoNodeCluster starts them: separate processes sharing the run's
/// Azurite and one data folder (as replicas share a volume: the token-signing key and the agent secret live there), so
/// a token from node A is accepted by B and an agent registered through one node is known to the other.
/// </summary>
public sealed class ServiceCluster : IAsyncDisposable
{
    private readonly bool _ownsNodes;
    private readonly string? _sharedDataDir;

    private ServiceCluster(string provider, IReadOnlyList<ChildServer> nodes, bool ownsNodes, string? sharedDataDir, string? database = null)
    {
        Database = database;
        Provider = provider;
        Nodes = nodes;
        _ownsNodes = ownsNodes;
        _sharedDataDir = sharedDataDir;
    }

    /// <summary>The service's Database:Provider: Sqlite or PostgreSql.</summary>
    public string Provider { get; }
    public IReadOnlyList<ChildServer> Nodes { get; }
    /// <summary>The node ARM calls go to (the bench's client, run-due, the jobs list).</summary>
    public ChildServer A => Nodes[0];
    /// <summary>PostgreSQL: the nodes' connection string (the harness reads its statement counts there); null on SQLite.</summary>
    public string? Database { get; }
    public string Label => $"{Provider}, {Nodes.Count} node{(Nodes.Count == 1 ? "" : "s")}";

    /// <summary>The context's own SQLite service (shared with the other scenarios in a smoke run; the context disposes it).</summary>
    public static ServiceCluster Sqlite(ChildServer service) => new("Sqlite", [service], ownsNodes: false, null);

    /// <summary><paramref name="count"/> nodes on <paramref name="database"/>, started at once as an orchestrator starts replicas.</summary>
    public static async Task<ServiceCluster> PostgresAsync(string azurite, string database, int count)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "bcp-bench-cluster-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dataDir);
        var settings = new Dictionary<string, string>
        {
            ["Database:Provider"] = "PostgreSql",
            ["ConnectionStrings:Default"] = database,
            // Hangfire's storage uses ConnectionStrings:Default (schema "hangfire") when ConnectionStrings:Hangfire is unset.
        };
        var starts = Enumerable.Range(0, count).Select(_ => ChildServer.StartServiceAsync(azurite, settings, dataDir)).ToList();
        try
        {
            var nodes = await Task.WhenAll(starts);
            return new ServiceCluster("PostgreSql", nodes, ownsNodes: true, dataDir, database);
        }
        catch
        {
            foreach (var s in starts.Where(s => s.IsCompletedSuccessfully)) await s.Result.DisposeAsync();
            DeleteDirectory(dataDir);
            throw;
        }
    }

    /// <summary>
    /// The agents' client. With several nodes its requests go to the nodes in turn (what a Kubernetes Service or a
    /// load balancer does; the tests' NodeBalancer): each agent's long-polls and reports land on either node, so work
    /// created on one node must wake polls held by the other (PostgreSQL LISTEN/NOTIFY).
    /// </summary>
    public HttpClient AgentClient(TimeSpan timeout) => Nodes.Count == 1
        ? A.NewClient(timeout)
        : new HttpClient(new RoundRobinHandler(Nodes.Select(n => n.BaseAddress).ToList())) { BaseAddress = A.BaseAddress, Timeout = timeout };

    public async ValueTask DisposeAsync()
    {
        if (!_ownsNodes) return;
        foreach (var node in Nodes) await node.DisposeAsync();
        if (_sharedDataDir is not null) DeleteDirectory(_sharedDataDir);
    }

    private static void DeleteDirectory(string dir)
    {
        try { Directory.Delete(dir, recursive: true); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    /// <summary>Sends each request to the next node in turn; a node that refuses the connection is skipped.</summary>
    private sealed class RoundRobinHandler(IReadOnlyList<Uri> nodes)
        : DelegatingHandler(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
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
}
