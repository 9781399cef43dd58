using System.Diagnostics;
using System.Text.Json.Nodes;
using BackupControlPlane.Api.Infrastructure;
using BackupControlPlane.Api.Tests.Infrastructure;

namespace BackupControlPlane.Api.Tests.Sdk;

/// <summary>
/// Runs a script of the JavaScript SDK tests (Sdk/js, its npm packages installed by <c>npm ci</c>, as .ci/run does
/// before the network is cut) with <c>node</c>, in an environment holding only what the caller gives plus PATH/HOME:
/// no managed-identity variable of the machine leaks in, and no proxy is used for the emulator's loopback address.
/// </summary>
public static class NodeScript
{
    public static readonly string Directory = Path.GetFullPath(Path.Combine(AzuriteProcess.FindInstallDirectory(AppContext.BaseDirectory)!, "..", "..",
        "tests", "BackupControlPlane.Api.Tests", "Sdk", "js"));

    public sealed record Result(int ExitCode, JsonNode Output, string StdErr);

    public static async Task<Result> RunAsync(string script, IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        Assert.True(File.Exists(Path.Combine(Directory, "node_modules", "@azure", "identity", "package.json")),
            $"The JavaScript SDK packages are not installed: run `npm ci --prefix {Path.GetRelativePath(Environment.CurrentDirectory, Directory)}` " +
            "while there is a network (.ci/run does it before the tests).");
        var start = new ProcessStartInfo("node") { WorkingDirectory = Directory };
        start.ArgumentList.Add(script);
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment.Clear();
        foreach (var keep in new[] { "PATH", "HOME", "TMPDIR" })
            if (Environment.GetEnvironmentVariable(keep) is { } value) start.Environment[keep] = value;
        start.Environment["NO_PROXY"] = "127.0.0.1,localhost";
        foreach (var (k, v) in environment) start.Environment[k] = v;
        var (exitCode, text, stderr) = await ChildProcess.RunAsync(start, timeout);
        if (exitCode is null) Assert.Fail($"node {script} did not finish within {timeout}; stderr: {stderr}");
        var json = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault(l => l.StartsWith('{'));
        Assert.True(json is not null, $"node {script} printed no JSON (exit {exitCode}); stdout: {text}; stderr: {stderr}");
        return new Result(exitCode.Value, JsonNode.Parse(json)!, stderr);
    }
}
