using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;
using BackupControlPlane.Api.Tests.Infrastructure;

namespace BackupControlPlane.Api.Tests.Cli;

/// <summary>
/// Set up once for all az CLI tests: the Azure CLI (installed from Debian's archive if missing), the emulator as its own
/// process, and an isolated az environment registered as a custom cloud and logged in with the emulator's managed
/// identity.
/// </summary>
public sealed class AzCliFixture : IAsyncLifetime
{
    public const string CloudName = "BackupControlPlane";
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(2);

    private readonly string _home = Path.Combine(Path.GetTempPath(), "bcp-azcli-home-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly ConcurrentQueue<Timing> _timings = new();

    public EmulatorProcess Emulator { get; private set; } = null!;
    public AzCli Az { get; private set; } = null!;
    /// <summary>Emulator routes over plain HTTP with a managed-identity token: test setup (VMs) and run-due.</summary>
    public ArmTestClient Arm { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    /// <summary>The environment az runs with; the recipe in docs/az.md.</summary>
    public IReadOnlyDictionary<string, string> AzEnvironment { get; private set; } = null!;

    public sealed record Timing(string Test, string Command, double Seconds, int ExitCode, string? Note);

    public async Task InitializeAsync()
    {
        var az = await EnsureAzureCliAsync();
        Emulator = await EmulatorProcess.StartAsync(await SharedAzurite.ConnectionStringAsync(), TimeSpan.FromSeconds(90));

        var configDir = Path.Combine(_home, "azure");
        Directory.CreateDirectory(configDir);
        var python = Path.Combine(AppContext.BaseDirectory, "Cli", "python");
        if (!File.Exists(Path.Combine(python, "usercustomize.py"))) throw new InvalidOperationException($"{python}/usercustomize.py was not copied to the test output.");
        AzEnvironment = new Dictionary<string, string>
        {
            ["AZURE_CONFIG_DIR"] = configDir,
            ["AZURE_CORE_COLLECT_TELEMETRY"] = "false",
            ["AZURE_CORE_NO_COLOR"] = "true",
            // The emulator's own CA; the CLI (requests / azure-core) trusts nothing else for ARM.
            ["REQUESTS_CA_BUNDLE"] = Emulator.CaBundle,
            // usercustomize.py works around Debian's compute API-profile bug (see the file).
            ["PYTHONPATH"] = python,
            ["PYTHONIOENCODING"] = "utf-8",
            // A brand-new config dir makes az check for updates on the internet; any call leaving the machine goes to a
            // dead proxy and fails at once, while everything for 127.0.0.1 goes direct.
            ["HTTPS_PROXY"] = "http://127.0.0.1:9",
            ["HTTP_PROXY"] = "http://127.0.0.1:9",
            ["NO_PROXY"] = "127.0.0.1,localhost",
            // `az login --identity` and every later token request POST here (the App Service MSI flow).
            ["MSI_ENDPOINT"] = new Uri(Emulator.HttpBase, "/metadata/identity/oauth2/token").ToString(),
            ["HOME"] = _home,
        };
        Az = new AzCli(az, AzEnvironment);

        var arm = Emulator.HttpsBase.ToString(); // ends with '/'
        await SetupAsync("cloud", "register", "-n", CloudName, "--profile", "latest",
            "--endpoint-resource-manager", arm,
            "--endpoint-active-directory", arm + "adfs",
            "--endpoint-active-directory-resource-id", "https://management.core.windows.net/",
            "--endpoint-active-directory-graph-resource-id", "https://graph.windows.net/",
            "--endpoint-management", "https://management.core.windows.net/");
        await SetupAsync("cloud", "set", "-n", CloudName);
        var login = await SetupAsync("login", "--identity", "-o", "json");
        var account = login.Json().AsArray().Single()!;
        if (account["id"]!.GetValue<string>() != EmulatorApp.Subscription)
            throw new InvalidOperationException($"az login --identity chose subscription {account["id"]}, expected {EmulatorApp.Subscription}.");

        Http = new HttpClient { BaseAddress = Emulator.HttpBase, Timeout = TimeSpan.FromMinutes(1) };
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/metadata/identity/oauth2/token?resource=" + Uri.EscapeDataString("https://management.core.windows.net/")))
        {
            request.Headers.Add("Metadata", "true");
            using var response = await Http.SendAsync(request);
            response.EnsureSuccessStatusCode();
            var token = (await response.Content.ReadFromJsonAsync<JsonObject>())!["access_token"]!.GetValue<string>();
            Http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        }
        Arm = new ArmTestClient(Http);
    }

    private async Task<AzResult> SetupAsync(params string[] args)
    {
        var result = await Az.RunAsync(args, CommandTimeout);
        Record("(fixture)", Placeholders(result.CommandLine), result);
        if (!result.Succeeded)
            throw new InvalidOperationException($"Setting up az failed at `{result.CommandLine}`:\n{result.Describe()}\n--- emulator log ---\n{Tail(Emulator.Log)}");
        return result;
    }

    public void Record(string test, string command, AzResult result, string? note = null) =>
        _timings.Enqueue(new Timing(test, command, result.Elapsed.TotalSeconds, result.TimedOut ? -1 : result.ExitCode, note));

    public IReadOnlyList<Timing> Timings => _timings.ToList();

    /// <summary>A file for az to read (e.g. --policy @file), in this run's private folder.</summary>
    public string WriteFile(string name, string content)
    {
        var path = Path.Combine(_home, Guid.NewGuid().ToString("N")[..8] + "-" + name);
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>Run-specific values (ports, job ids, recovery-point names) as placeholders, so timings.md diffs stay small.</summary>
    public static string Placeholders(string commandLine)
    {
        var s = System.Text.RegularExpressions.Regex.Replace(commandLine, @"127\.0\.0\.1:\d+", "127.0.0.1:PORT");
        s = System.Text.RegularExpressions.Regex.Replace(s, @"-n [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", "-n JOB");
        s = System.Text.RegularExpressions.Regex.Replace(s, @" @\S+", " @FILE");
        s = System.Text.RegularExpressions.Regex.Replace(s, @"sig=[^&\s']+", "sig=REDACTED"); // a SAS (e.g. --template-uri) is a secret
        return System.Text.RegularExpressions.Regex.Replace(s, @"(-r|-n) \d{6,}", "$1 RP");
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private readonly string _loadAtStart = LoadAverage();

    public static string Tail(string text, int chars = 6000) => text.Length > chars ? "…" + text[^chars..] : text;

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (Emulator is not null) await Emulator.DisposeAsync();
        if (Environment.GetEnvironmentVariable("UPDATE_CLI_TIMINGS") == "1" && !_timings.IsEmpty && Az is not null) await WriteTimingsAsync();
        try { Directory.Delete(_home, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private async Task WriteTimingsAsync()
    {
        var version = (await Az.RunAsync(["version", "-o", "tsv", "--query", "\"azure-cli\""], CommandTimeout)).StdOut.Trim();
        var md = new StringBuilder()
            .AppendLine("# az CLI wall times against the emulator")
            .AppendLine()
            .AppendLine($"Written by a test run with `UPDATE_CLI_TIMINGS=1` (e.g. `UPDATE_CLI_TIMINGS=1 dotnet test --filter \"FullyQualifiedName~.Cli.\"`) on {DateTime.UtcNow:yyyy-MM-dd} " +
                        $"(azure-cli {version}, {Environment.ProcessorCount} cores, load average {_loadAtStart} at the start and {LoadAverage()} at the end). " +
                        "Wall time of the whole `az` process, start-up included (about 1–1.5 s of each on an idle machine, more under load); " +
                        "exit code -1 means killed after the timeout.")
            .AppendLine()
            .AppendLine("| test | command | wall time (s) | exit | note |")
            .AppendLine("|---|---|---:|---:|---|");
        foreach (var t in _timings)
            md.AppendLine($"| {t.Test} | `{t.Command.Replace("|", "\\|")}` | {t.Seconds:0.00} | {t.ExitCode} | {t.Note} |");
        var path = Path.Combine(RepositoryRoot(), "tests", "BackupControlPlane.Api.Tests", "Cli", "timings.md");
        await File.WriteAllTextAsync(path, md.ToString());
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "BackupControlPlane.sln"))) return dir.FullName;
        throw new InvalidOperationException("BackupControlPlane.sln not found above the test binaries.");
    }

    /// <summary>
    /// The az on PATH, or Debian's azure-cli installed with apt-get when running as root (as CI does). Anything else is a
    /// clear failure: these tests exist to run the real CLI.
    /// </summary>
    private static async Task<string> EnsureAzureCliAsync()
    {
        if (FindOnPath("az") is { } found) return found;
        if (!OperatingSystem.IsLinux() || FindOnPath("apt-get") is not { } aptGet)
            throw new InvalidOperationException("The Azure CLI (az) is not installed and this is not a Debian-like system with apt-get: install azure-cli to run the az CLI tests.");
        if (geteuid() != 0)
            throw new InvalidOperationException("The Azure CLI (az) is not installed and the tests are not running as root: run `sudo apt-get install -y azure-cli` (Debian's package) first.");

        var install = await RunAsync(aptGet, ["install", "-y", "-q", "azure-cli"], TimeSpan.FromMinutes(20));
        if (install.ExitCode != 0)
        {
            // A fresh container often has no package lists yet.
            var update = await RunAsync(aptGet, ["update", "-q"], TimeSpan.FromMinutes(5));
            install = await RunAsync(aptGet, ["install", "-y", "-q", "azure-cli"], TimeSpan.FromMinutes(20));
            if (install.ExitCode != 0)
                throw new InvalidOperationException($"Installing the Azure CLI failed (`apt-get install -y azure-cli` exit {install.ExitCode}):\n{Tail(update.Output)}\n{Tail(install.Output)}");
        }
        return FindOnPath("az") ?? throw new InvalidOperationException("apt-get installed azure-cli but `az` is still not on PATH.");
    }

    [DllImport("libc", SetLastError = true)]
    private static extern uint geteuid();

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, string[] args, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try { await p.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { p.Kill(entireProcessTree: true); await p.WaitForExitAsync(); return (-1, $"timed out after {timeout}\n{await output}{await error}"); }
        return (p.ExitCode, await output + await error);
    }
}
