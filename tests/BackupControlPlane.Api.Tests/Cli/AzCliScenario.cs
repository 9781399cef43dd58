using BackupControlPlane.Api.Tests.Infrastructure;
using Xunit.Abstractions;

namespace BackupControlPlane.Api.Tests.Cli;

/// <summary>One test's resource group, and its az runs: each printed to the test output and timed.</summary>
/// <param name="az">Another az environment (e.g. with the Bicep CLI on PATH), else the fixture's.</param>
public sealed class AzCliScenario(AzCliFixture fx, ITestOutputHelper output, string name, AzCli? az = null)
{
    public string Test { get; } = name;
    public string Rg { get; } = $"azcli-{name}-{Guid.NewGuid().ToString("N")[..6]}";

    public Task<AzResult> Az(params string[] args) => Az(null, args);

    /// <param name="note">What to note beside the wall time in timings.md (e.g. a request count).</param>
    public async Task<AzResult> Az(Func<AzResult, string>? note, params string[] args)
    {
        var result = await (az ?? fx.Az).RunAsync(args, AzCliFixture.CommandTimeout);
        var display = AzCliFixture.Placeholders(result.CommandLine.Replace(Rg, "RG"));
        var noted = note?.Invoke(result);
        fx.Record(Test, display, result, noted);
        output.WriteLine($"[{result.Elapsed.TotalSeconds,6:0.00} s] exit {result.ExitCode}{(result.TimedOut ? " TIMED OUT" : "")}  {display}{(noted is null ? "" : "  (" + noted + ")")}");
        if (!result.Succeeded)
        {
            output.WriteLine(AzCliFixture.Tail(result.StdErr, 4000));
            output.WriteLine("--- emulator log (end) ---\n" + AzCliFixture.Tail(fx.Emulator.Log, 3000));
        }
        return result;
    }

    public void Note(string text) => output.WriteLine(text);
}

/// <summary>
/// The az tests run on their own, after the parallel part of the suite: each az process needs a core for its
/// 1–1.5 s start-up, and the recorded wall times mean something only without other tests competing for the CPU.
/// One emulator process and az configuration (<see cref="AzCliFixture"/>) serve every az test class of the collection.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AzCliCollection : ICollectionFixture<AzCliFixture>
{
    public const string Name = "az CLI";
}
