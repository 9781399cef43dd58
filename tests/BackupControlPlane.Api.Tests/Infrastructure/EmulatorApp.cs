using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using BackupControlPlane.Agent;
using BackupControlPlane.Api.Tests.Oracle;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace BackupControlPlane.Api.Tests.Infrastructure;

/// <summary>
/// The real service on Kestrel (a real port, so agents speak real HTTP), with its own SQLite files and Hangfire
/// storage, sharing the run's one Azurite. Tests that need their own clock make their own instance.
/// </summary>
public sealed class EmulatorApp : WebApplicationFactory<Program>
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "bcp-tests-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly string _storage;
    private readonly TimeProvider? _time;
    private readonly Dictionary<string, string?> _settings;
    private readonly List<CancellationTokenSource> _agents = [];
    private readonly bool _https;
    private readonly Action<IServiceCollection>? _services;

    private EmulatorApp(string storage, TimeProvider? time, Dictionary<string, string?>? settings, bool https, Action<IServiceCollection>? services)
    {
        _storage = storage;
        _time = time;
        _settings = settings ?? [];
        _https = https;
        _services = services;
        // Kestrel binds from Urls, so HTTPS gets the service's own certificate exactly as in production.
        UseKestrel();
    }

    public const string Subscription = "00000000-0000-0000-0000-000000000001";

    /// <param name="services">Replaces services after the app registered its own (test doubles around real ones).</param>
    public static async Task<EmulatorApp> StartAsync(TimeProvider? time = null, Dictionary<string, string?>? settings = null, bool https = false,
        Action<IServiceCollection>? services = null)
    {
        var app = new EmulatorApp(await SharedAzurite.ConnectionStringAsync(), time, settings, https, services);
        app.StartServer();
        // The recorder lets the spec oracle check every ARM answer of the run (Oracle/).
        app.Client = new HttpClient(new ArmTrafficRecorder { InnerHandler = new HttpClientHandler() })
        {
            BaseAddress = new Uri(app.Addresses.First(a => a.StartsWith("http://"))),
        };
        app.Client.Timeout = TimeSpan.FromMinutes(2);
        app.Client.DefaultRequestHeaders.Authorization = new("Bearer", await app.ManagedIdentityTokenAsync());
        app.Arm = new ArmTestClient(app.Client);
        return app;
    }

    // Prometheus' /metrics on (Infrastructure/TelemetryTests reads it after a backup).
    private static readonly Lazy<Task<EmulatorApp>> SharedInstance = new(() => StartAsync(settings: new() { ["Emulator:Metrics:Prometheus"] = "true" }));

    /// <summary>The app most tests share; they keep out of each other's way with unique resource names.</summary>
    public static Task<EmulatorApp> SharedAsync() => SharedInstance.Value;

    public HttpClient Client { get; private set; } = null!;
    public ArmTestClient Arm { get; private set; } = null!;
    public BlobServiceClient Blobs => new(_storage);

    /// <summary>The app's SQLite database file (for tests that look at what a write costs it).</summary>
    public string DatabasePath => Path.Combine(_dataDir, "backup.db");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Urls", _https ? "http://127.0.0.1:0;https://127.0.0.1:0" : "http://127.0.0.1:0");
        builder.UseSetting("Emulator:DataDirectory", _dataDir);
        builder.UseSetting("Storage:ConnectionString", _storage);
        builder.UseSetting("Storage:StartAzurite", "false");
        builder.UseSetting("DemoFleet:Enabled", "false");
        builder.UseSetting("Emulator:GoalStateLongPoll", "00:00:05");
        // Slot jobs finish in well under a second; on a loaded CI machine Hangfire's pick-up can take much longer.
        builder.UseSetting("Emulator:RunDueWait", "00:02:00");
        foreach (var (k, v) in _settings) builder.UseSetting(k, v);
        // Everything at Debug and up, so the secret scan sees what a user's verbose log would hold.
        builder.ConfigureLogging(l => l.AddProvider(new CapturedLogs()).AddFilter<CapturedLogs>(null, Microsoft.Extensions.Logging.LogLevel.Debug));
        if (_time is not null) builder.ConfigureServices(s => s.Replace(ServiceDescriptor.Singleton(_time)));
        if (_services is not null) builder.ConfigureServices(_services);
    }

    /// <summary>Starts the guest agent of one VM, over HTTP, with the credential the fleet route hands out.</summary>
    public async Task<VmAgent> StartAgentAsync(string vmName, VmAgentOptions? options = null)
    {
        var secret = await ProvisioningSecretAsync(vmName);
        var agent = new VmAgent(NewHttpClient(), secret, NullLogger.Instance, options ?? new VmAgentOptions { Hold = TimeSpan.FromSeconds(5) });
        var cts = new CancellationTokenSource();
        lock (_agents) _agents.Add(cts);
        _ = Task.Run(() => agent.RunAsync(cts.Token));
        return agent;
    }

    /// <summary>The VM's vmId, as the fleet route lists it (the key of the fault route).</summary>
    public async Task<string> VmIdAsync(string vmName) => (await FleetMemberAsync(vmName))["vmId"]!.GetValue<string>();

    /// <summary>Injects a fault into a VM's agent through the emulator's control route, as a user's test would.</summary>
    public async Task SetFaultAsync(string vmName, object? fault)
    {
        var path = $"/emulator/agents/{await VmIdAsync(vmName)}/fault";
        using var response = fault is null ? await Client.DeleteAsync(path) : await Client.PutAsJsonAsync(path, fault);
        Assert.True(response.IsSuccessStatusCode, $"{path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>The VM's provisioning secret, as the fleet route hands it to an agent when "the VM boots".</summary>
    public async Task<string> ProvisioningSecretAsync(string vmName) => (await FleetMemberAsync(vmName))["provisioningSecret"]!.GetValue<string>();

    /// <summary>
    /// The VM's entry in the fleet route: what "the VM booted" hands its agent. Found by VM name alone, so a test on the
    /// shared app names its VMs so that no test running beside it has one of the same name (a per-class prefix).
    /// </summary>
    private async Task<JsonNode> FleetMemberAsync(string vmName)
    {
        var fleet = await Client.GetFromJsonAsync<JsonArray>("/emulator/agents");
        var matches = fleet!.Where(m => m!["vmResourceId"]!.GetValue<string>().EndsWith("/virtualMachines/" + vmName, StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.True(matches.Count == 1, $"{matches.Count} VMs are named '{vmName}' in this app: " +
            string.Join(", ", matches.Select(m => m!["vmResourceId"]!.GetValue<string>())) + ". On the shared app, give each test class's VMs names of their own.");
        return matches[0]!;
    }

    /// <summary>An agent identity for the VM: its own certificate, registered, holding a credential for that VM only.</summary>
    public async Task<AgentIdentity> RegisterAgentAsync(string vmName)
    {
        var identity = new AgentIdentity(NewHttpClient(), await ProvisioningSecretAsync(vmName));
        await identity.RegisterAsync(CancellationToken.None);
        return identity;
    }

    /// <summary>After moving a fake clock past the token's lifetime: fetch a new token, as a client would.</summary>
    public async Task RenewTokenAsync() => Client.DefaultRequestHeaders.Authorization = new("Bearer", await ManagedIdentityTokenAsync());

    /// <summary>A token from the emulator's managed-identity endpoint, as az and the SDK get theirs.</summary>
    public async Task<string> ManagedIdentityTokenAsync(string resource = "https://management.core.windows.net/")
    {
        using var http = NewHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=" + Uri.EscapeDataString(resource));
        request.Headers.Add("Metadata", "true");
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["access_token"]!.GetValue<string>();
    }

    public HttpClient NewHttpClient() => new() { BaseAddress = Client.BaseAddress, Timeout = TimeSpan.FromMinutes(1) };

    public string DataDirectory => _dataDir;

    /// <summary>
    /// A handler that trusts exactly the emulator's CA, as REQUESTS_CA_BUNDLE or SSL_CERT_FILE do for a user;
    /// <paramref name="served"/> sees each server certificate presented.
    /// </summary>
    public HttpClientHandler TrustingEmulatorCa(Action<System.Security.Cryptography.X509Certificates.X509Certificate2>? served = null)
    {
        var ca = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(_dataDir, "tls", "ca.pem")));
        return new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, cert, _, _) =>
            {
                served?.Invoke(new System.Security.Cryptography.X509Certificates.X509Certificate2(cert!));
                using var chain = new System.Security.Cryptography.X509Certificates.X509Chain();
                chain.ChainPolicy.TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(ca);
                chain.ChainPolicy.RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck;
                chain.ChainPolicy.DisableCertificateDownloads = true;
                return chain.Build(cert!);
            },
        };
    }

    public IReadOnlyList<string> Addresses =>
        Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features
            .Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.ToList();

    public T Service<T>() where T : notnull => Services.GetRequiredService<T>();

    protected override void Dispose(bool disposing)
    {
        lock (_agents) foreach (var a in _agents) a.Cancel();
        base.Dispose(disposing);
        try { Directory.Delete(_dataDir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
