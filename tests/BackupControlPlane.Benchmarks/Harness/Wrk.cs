using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace BackupControlPlane.Benchmarks.Harness;

public sealed record LoadResult(double RequestsPerSecond, double P50Ms, double P99Ms, long Requests, long Errors, string Raw);

/// <summary>
/// Runs wrk (the Debian package) against one URL and reads its summary. wrk is a separate native process, so the load
/// generator costs the same for the ceilings and the service and does not share the servers' runtime.
/// </summary>
public static partial class Wrk
{
    public const string Path = "/usr/bin/wrk";

    public static bool Available => File.Exists(Path);

    public static async Task<LoadResult> RunAsync(string url, WrkSettings s, string[]? headers = null, string? script = null, string[]? scriptArgs = null)
    {
        var psi = new ProcessStartInfo(Path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-t", s.Threads.ToString(), "-c", s.Connections.ToString(), "-d", $"{s.Seconds}s", "--latency", "--timeout", "10s" }) psi.ArgumentList.Add(a);
        foreach (var h in headers ?? []) { psi.ArgumentList.Add("-H"); psi.ArgumentList.Add(h); }
        if (script is not null) { psi.ArgumentList.Add("-s"); psi.ArgumentList.Add(script); }
        psi.ArgumentList.Add(url);
        if (scriptArgs is not null) { psi.ArgumentList.Add("--"); foreach (var a in scriptArgs) psi.ArgumentList.Add(a); }
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("Could not start wrk.");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        var text = await stdout;
        if (p.ExitCode != 0) throw new InvalidOperationException($"wrk failed ({p.ExitCode}): {text} {await stderr}");
        return Parse(text);
    }

    public static LoadResult Parse(string text)
    {
        double Rps() => double.Parse(RpsLine().Match(text).Groups[1].Value, CultureInfo.InvariantCulture);
        double Pct(string pct) => ToMs(Regex.Match(text, $@"^\s*{pct}%\s+([\d.]+)(us|ms|s)\s*$", RegexOptions.Multiline));
        var requests = long.Parse(RequestsLine().Match(text).Groups[1].Value);
        var errors = 0L;
        if (Non2xx().Match(text) is { Success: true } n) errors += long.Parse(n.Groups[1].Value);
        if (SocketErrors().Match(text) is { Success: true } se)
            errors += long.Parse(se.Groups[1].Value) + long.Parse(se.Groups[2].Value) + long.Parse(se.Groups[3].Value) + long.Parse(se.Groups[4].Value);
        return new LoadResult(Rps(), Pct("50"), Pct("99"), requests, errors, text);
    }

    private static double ToMs(Match m)
    {
        if (!m.Success) return double.NaN;
        var v = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        return m.Groups[2].Value switch { "us" => v / 1000, "s" => v * 1000, _ => v };
    }

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")] private static partial Regex RpsLine();
    [GeneratedRegex(@"(\d+) requests in")] private static partial Regex RequestsLine();
    [GeneratedRegex(@"Non-2xx or 3xx responses: (\d+)")] private static partial Regex Non2xx();
    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")] private static partial Regex SocketErrors();
}

public sealed record WrkSettings(int Threads, int Connections, int Seconds);
