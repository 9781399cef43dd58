using System.Diagnostics;
using System.Reflection;
using System.Text.Json.Nodes;
using BackupControlPlane.Api.Tests.Infrastructure;

namespace BackupControlPlane.Api.Tests.Benchmarks;

/// <summary>
/// Keeps the benchmark harness (tests/BackupControlPlane.Benchmarks) from rotting: its smoke mode runs every scenario
/// at tiny sizes against the real service and must finish and write its JSON. Never asserts a time: the timeout only
/// stops a hung run.
/// </summary>
// The harness starts the service and its own load as child processes: it runs alone.
[Collection(Features.Agents.HeavyAloneCollection.Name)]
public sealed class HarnessSmokeTests
{
    [Fact]
    public async Task Smoke_run_completes_and_writes_a_json_report_per_scenario()
    {
        var configuration = typeof(HarnessSmokeTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "BackupControlPlane.sln"))) root = root.Parent;
        Assert.NotNull(root);
        var harness = Path.Combine(root.FullName, "tests", "BackupControlPlane.Benchmarks", "bin", configuration, "net10.0", "BackupControlPlane.Benchmarks.dll");
        Assert.True(File.Exists(harness), $"The harness is built with the tests (project reference); missing: {harness}");
        var outDir = Path.Combine(Path.GetTempPath(), "bcp-bench-smoke-test-" + Guid.NewGuid().ToString("N")[..8]);

        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { harness, "--smoke", "--out", outDir }) psi.ArgumentList.Add(a);
        // The run's Azurite, rather than a second one.
        psi.Environment["AZURITE_CONNECTION_STRING"] = await SharedAzurite.ConnectionStringAsync();
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var hung = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(hung.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"The smoke run hung:\n{await stdout}\n{await stderr}");
        }
        Assert.True(process.ExitCode == 0, $"The smoke run failed ({process.ExitCode}):\n{await stdout}\n{await stderr}");

        try
        {
            foreach (var scenario in new[] { "api", "round", "dispatch", "startup" })
            {
                var file = Directory.GetFiles(outDir, scenario + "-*.json").SingleOrDefault();
                Assert.True(file is not null, $"No {scenario} report in {outDir}:\n{await stdout}");
                var report = JsonNode.Parse(await File.ReadAllTextAsync(file))!;
                Assert.Equal(scenario, report["scenario"]!.GetValue<string>());
                Assert.NotNull(report["machine"]!["cores"]);
                Assert.NotEmpty(report["results"]!.AsArray());
            }
        }
        finally
        {
            Directory.Delete(outDir, recursive: true);
        }
    }
}
