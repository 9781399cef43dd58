namespace BackupControlPlane.Benchmarks.Harness;

/// <summary>
/// The run's Azurite and servers. A real run gives each scenario a fresh context (fresh database, nothing carried
/// over); the smoke run shares one across scenarios, because starting processes is most of its time.
/// </summary>
public sealed class BenchContext(Options options) : IAsyncDisposable
{
    private BenchAzurite? _azurite;
    private ChildServer? _service;
    private ChildServer? _ceiling;
    private BenchPostgres? _postgres;

    public Options Options => options;

    public async Task<BenchAzurite> AzuriteAsync() => _azurite ??= await BenchAzurite.StartAsync();

    public async Task<ChildServer> ServiceAsync() => _service ??= await ChildServer.StartServiceAsync((await AzuriteAsync()).ConnectionString);

    /// <summary>The run's throw-away PostgreSQL cluster (started on first use; each round makes a database of its own on it).</summary>
    public async Task<BenchPostgres> PostgresAsync() => _postgres ??= await BenchPostgres.StartAsync();

    public async Task<ChildServer> CeilingAsync() => _ceiling ??= await ChildServer.StartCeilingAsync();

    public async ValueTask DisposeAsync()
    {
        if (_service is not null) await _service.DisposeAsync();
        if (_ceiling is not null) await _ceiling.DisposeAsync();
        _azurite?.Dispose();
        if (_postgres is not null) await _postgres.DisposeAsync();
    }
}
