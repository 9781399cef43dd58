using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using BackupControlPlane.Api.Tests.Cli;
using BackupControlPlane.Api.Tests.Infrastructure;

namespace BackupControlPlane.Api.Tests.Features.Deployments;

/// <summary>
/// Compiles the .bicep fixtures next to these tests with the real Bicep CLI (NuGet package
/// Azure.Bicep.CommandLine.linux-x64, referenced by the test project). <c>bicep build</c> needs no network but tries it:
/// every build fetches the public module index from https://aka.ms/br-module-index-data (seen under strace: two DNS
/// lookups of aka.ms). A dead proxy on loopback makes that fetch fail at once without a name leaving the machine.
/// </summary>
internal static class BicepCompiler
{

    public static string FixturePath(string file) =>
        Path.Combine(OpenApiDocumentTests.RepositoryRoot(), "tests", "BackupControlPlane.Api.Tests", "Features", "Deployments", "Bicep", file);

    private static readonly ConcurrentDictionary<string, Lazy<Task<JsonObject>>> Built = new();

    /// <summary>The compiled template (each fixture is compiled once per test run; callers get their own copy).</summary>
    public static async Task<JsonObject> BuildAsync(string file) =>
        (await Built.GetOrAdd(file, f => new Lazy<Task<JsonObject>>(() => CompileAsync(f))).Value).DeepClone().AsObject();

    private static async Task<JsonObject> CompileAsync(string file)
    {
        if (!File.Exists(BicepAz.BicepPath)) throw new InvalidOperationException($"The Bicep CLI is not at {BicepAz.BicepPath}: restore the test project (Azure.Bicep.CommandLine.linux-x64).");
        var start = new ProcessStartInfo(BicepAz.BicepPath, ["build", FixturePath(file), "--stdout"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in BicepAz.DeadProxy) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"bicep build {file} failed: {await errors}");
        return JsonNode.Parse(await output)!.AsObject();
    }
}
