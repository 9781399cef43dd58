using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace BackupControlPlane.Api.Tests.Cli;

/// <summary>What one `az` invocation printed, how it ended and how long it took.</summary>
public sealed record AzResult(IReadOnlyList<string> Args, int ExitCode, string StdOut, string StdErr, TimeSpan Elapsed, bool TimedOut)
{
    public string CommandLine => "az " + string.Join(' ', Args.Select(a => a.Contains(' ') || a.Contains(';') ? $"'{a}'" : a));

    public bool Succeeded => ExitCode == 0 && !TimedOut;

    /// <summary>
    /// stdout parsed as JSON (the command must have run with -o json); fails the test with everything az printed and,
    /// when given, the FINDINGS.md entry that explains the failure.
    /// </summary>
    public JsonNode Json(string? finding = null)
    {
        AssertSucceeded(finding);
        try
        {
            return JsonNode.Parse(StdOut) ?? throw new FormatException("empty output");
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or FormatException)
        {
            Assert.Fail($"{CommandLine} printed no JSON ({e.Message}):\n{Describe()}");
            throw;
        }
    }

    public void AssertSucceeded(string? finding = null)
    {
        if (!Succeeded) Assert.Fail($"{CommandLine} failed{(finding is null ? "" : $" (see tests/BackupControlPlane.Api.Tests/Cli/FINDINGS.md {finding})")}:\n{Describe()}");
    }

    /// <summary>ARM requests the SDK sent, from --debug output (one "Request URL:" line each, tokens excluded).</summary>
    public IReadOnlyList<string> ArmRequests =>
        Regex.Matches(StdErr, @"sdk\.policies: Request URL: '([^']+)'").Select(m => m.Groups[1].Value).ToList();

    /// <summary>Token requests to the managed-identity endpoint, from --debug output.</summary>
    public int TokenRequests => Regex.Matches(StdErr, "\"POST /metadata/identity/oauth2/token").Count;

    /// <summary>Everything needed to understand a failure: exit code, time, stdout and the end of stderr.</summary>
    public string Describe()
    {
        var err = StdErr.Length > 12000 ? "…" + StdErr[^12000..] : StdErr;
        return $"exit code {ExitCode}{(TimedOut ? " (timed out, killed)" : "")} after {Elapsed.TotalSeconds:0.0} s\n--- stdout ---\n{StdOut}\n--- stderr ---\n{err}";
    }
}

/// <summary>
/// Runs the installed Azure CLI, unmodified, in an isolated environment (private config dir, no telemetry, no way out of
/// the machine). Each run has a timeout, after which az is killed and the result says so.
/// </summary>
public sealed class AzCli(string executable, IReadOnlyDictionary<string, string> environment)
{
    public string Executable { get; } = executable;

    public async Task<AzResult> RunAsync(IEnumerable<string> args, TimeSpan timeout)
    {
        var argList = args.ToList();
        var psi = new ProcessStartInfo(Executable)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var a in argList) psi.ArgumentList.Add(a);
        // Nothing Azure-related from the machine's environment may steer the CLI: only what the fixture sets.
        foreach (var key in psi.Environment.Keys.Where(IsAzureVariable).ToList()) psi.Environment.Remove(key);
        foreach (var (k, v) in environment) psi.Environment[k] = v;

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {Executable}.");
        process.StandardInput.Close(); // a prompt must fail, not hang
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var timedOut = false;
        using (var cts = new CancellationTokenSource(timeout))
        {
            try
            {
                await process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                timedOut = true;
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                await process.WaitForExitAsync();
            }
        }
        clock.Stop();
        return new AzResult(argList, process.ExitCode, await stdout, await stderr, clock.Elapsed, timedOut);
    }

    private static bool IsAzureVariable(string name) =>
        name.StartsWith("AZURE_", StringComparison.OrdinalIgnoreCase) || name.StartsWith("MSI_", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("IDENTITY_", StringComparison.OrdinalIgnoreCase) || name.StartsWith("ARM_", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("AZ_", StringComparison.OrdinalIgnoreCase)
        || name is "REQUESTS_CA_BUNDLE" or "CURL_CA_BUNDLE" or "SSL_CERT_FILE" or "PYTHONPATH" or "PYTHONHOME" or "PYTHONNOUSERSITE"
        || name.EndsWith("_PROXY", StringComparison.OrdinalIgnoreCase);
}
