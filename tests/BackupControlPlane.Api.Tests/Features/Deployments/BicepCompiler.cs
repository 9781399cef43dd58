using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using BackupControlPlane.Api.Tests.Infrastructure;

namespace BackupControlPlane.Api.Tests.Features.Deployments;

/// <summary>
/// Compiles the .bicep fixtures next to these tests with the real Bicep CLI (NuGet package
/// Azure.Bicep.CommandLine.linux-x64, referenced by the test project; <c>bicep build</c> needs no network).
/// </summary>
internal static class BicepCompiler
{
    private const string Package = "azure.bicep.commandline.linux-x64";
    private const string Version = "0.49.2";

    public static string FixturePath(string file) =>
        Path.Combine(OpenApiDocumentTests.RepositoryRoot(), "tests", "BackupControlPlane.Api.Tests", "Features", "Deployments", "Bicep", file);

    private static readonly ConcurrentDictionary<string, Lazy<Task<JsonObject>>> Built = new();

    /// <summary>The compiled template (each fixture is compiled once per test run; callers get their own copy).</summary>
    public static async Task<JsonObject> BuildAsync(string file) =>
        (await Built.GetOrAdd(file, f => new Lazy<Task<JsonObject>>(() => CompileAsync(f))).Value).DeepClone().AsObject();

    private static async Task<JsonObject> CompileAsync(string file)
    {
        var start = new ProcessStartInfo(Executable(), ["build", FixturePath(file), "--stdout"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"bicep build {file} failed: {await errors}");
        return JsonNode.Parse(await output)!.AsObject();
    }

    private static string Executable()
    {
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var path = Path.Combine(packages, Package, Version, "tools", "bicep");
        Assert.True(File.Exists(path), $"The Bicep CLI is not at {path}: restore the test project (it references {Package} {Version}).");
        return path;
    }
}
