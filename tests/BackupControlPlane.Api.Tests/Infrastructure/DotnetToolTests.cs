using System.Diagnostics;
using BackupControlPlane.Api.Infrastructure;
using Xunit.Abstractions;

namespace BackupControlPlane.Api.Tests.Infrastructure;

/// <summary>
/// Install in one command: the service packed as a .NET tool, installed from a local folder (no network), started as
/// <c>backupcontrolplane</c> outside the repository, serving the Backup center page and /healthz with Azurite as its
/// child process. The first run's <c>npm ci</c> of the carried Azurite package needs the registry; offline, the test
/// links the repository's installed node_modules into the tool's copy, as the worktrees do.
/// </summary>
public sealed class DotnetToolTests(ITestOutputHelper output)
{
    private static readonly string Repo = Path.GetFullPath(Path.Combine(AzuriteProcess.FindInstallDirectory(AppContext.BaseDirectory)!, "..", ".."));

#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    [Fact]
    public async Task The_packed_tool_installs_offline_and_serves_the_page_with_its_own_Azurite()
    {
        var tmp = Directory.CreateTempSubdirectory("bcp-tool-test-").FullName;
        try
        {
            var packed = Stopwatch.StartNew();
            await RunAsync("dotnet", ["pack", Path.Combine(Repo, "src", "BackupControlPlane.Api", "BackupControlPlane.Api.csproj"),
                "-c", Configuration, "--no-build", "-o", Path.Combine(tmp, "feed")], tmp);
            output.WriteLine($"dotnet pack: {packed.Elapsed.TotalSeconds:0.0} s");
            // Only the local folder: an install that would need nuget.org fails here instead of reaching out.
            await File.WriteAllTextAsync(Path.Combine(tmp, "nuget.config"),
                $"""<configuration><packageSources><clear /><add key="local" value="{Path.Combine(tmp, "feed")}" /></packageSources></configuration>""");

            var installed = Stopwatch.StartNew();
            await RunAsync("dotnet", ["tool", "install", "--tool-path", Path.Combine(tmp, "tools"), "--configfile", Path.Combine(tmp, "nuget.config"), "BackupControlPlane"], tmp);
            output.WriteLine($"dotnet tool install: {installed.Elapsed.TotalSeconds:0.0} s");
            var azurite = Assert.Single(Directory.GetDirectories(Path.Combine(tmp, "tools", ".store"), "azurite", SearchOption.AllDirectories),
                d => File.Exists(Path.Combine(d, "package.json")) && File.Exists(Path.Combine(d, AzuriteProcess.DurabilityPreload)));
            File.CreateSymbolicLink(Path.Combine(azurite, "node_modules"), Path.Combine(Repo, "tools", "azurite", "node_modules"));

            var ports = FreePorts.Take(2);
            var (port, blobPort) = (ports[0], ports[1]);
            var psi = new ProcessStartInfo(Path.Combine(tmp, "tools", "backupcontrolplane"))
            {
                WorkingDirectory = tmp,
                ArgumentList = { "--ephemeral", $"--Urls=http://127.0.0.1:{port}", $"--Storage:ConnectionString={StorageOptions.AzuriteConnectionString.Replace("127.0.0.1:10000", $"127.0.0.1:{blobPort}")}" },
            };
            psi.Environment["TMPDIR"] = tmp;
            using var process = LoggedProcess.Start(psi);
            var address = new Uri($"http://127.0.0.1:{port}");
            await process.WaitUntilReadyAsync(address, TimeSpan.FromMinutes(1));
            using var http = new HttpClient { BaseAddress = address };
            var page = await http.GetStringAsync("/");
            output.WriteLine($"install to first page: {installed.Elapsed.TotalSeconds:0.0} s");
            Assert.Contains("<h1>Backup center</h1>", page);
            Assert.Equal("Healthy", await http.GetStringAsync("/healthz"));
            Assert.Contains(ChildCommandLines(process.Id), c => c.Contains("azurite") && c.Contains($"--blobPort {blobPort}"));

            Assert.Equal(0, await process.TerminateAsync());
            Assert.Empty(Directory.GetDirectories(tmp, EphemeralData.Prefix + "*"));
        }
        finally
        {
            Directory.Delete(tmp, recursive: true);
        }
    }

    /// <summary>The command lines of the processes whose parent is <paramref name="pid"/>.</summary>
    private static List<string> ChildCommandLines(int pid) =>
        Directory.GetDirectories("/proc").Select(Path.GetFileName).Where(n => n!.All(char.IsDigit)).Select(n => int.Parse(n!))
            .Select(p =>
            {
                try
                {
                    var stat = File.ReadAllText($"/proc/{p}/stat");
                    return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]) == pid ? File.ReadAllText($"/proc/{p}/cmdline").Replace('\0', ' ') : null;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
                {
                    return null;
                }
            })
            .OfType<string>().ToList();

    private static async Task RunAsync(string file, string[] args, string dir)
    {
        var psi = new ProcessStartInfo(file) { WorkingDirectory = dir, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.True(p.ExitCode == 0, $"{file} {string.Join(' ', args)} exited {p.ExitCode}:\n{await stdout}\n{await stderr}");
    }
}
