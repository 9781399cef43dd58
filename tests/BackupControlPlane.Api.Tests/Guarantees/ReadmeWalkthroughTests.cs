using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using BackupControlPlane.Api.Tests.Cli;
using BackupControlPlane.Api.Tests.Infrastructure;
using Xunit.Abstractions;

namespace BackupControlPlane.Api.Tests.Guarantees;

/// <summary>
/// The newcomer's test: the README walk-through, taken from README.md itself (every bash block marked
/// <c>&lt;!-- walkthrough --&gt;</c>, in order) and continued by the marked blocks of docs/backup-and-restore.md, run as
/// one script with <c>bash -euo pipefail</c> against the service as a user runs it (its own process, demo agent fleet on,
/// strict api-versions). Only <c>BCP</c>, the service's address, comes from the test: the blocks default it to the quick
/// start's port.
/// </summary>
public sealed class ReadmeWalkthroughTests(ITestOutputHelper output)
{
    private const string Marker = "<!-- walkthrough -->";
    /// <summary>The pages whose marked blocks make the script, in the order they run.</summary>
    private static readonly string[] Pages = ["README.md", "docs/backup-and-restore.md"];

    /// <summary>The marked blocks of a markdown text, in order; a marker not followed by a bash block is an error.</summary>
    public static IReadOnlyList<string> WalkthroughBlocks(string markdown)
    {
        var blocks = new List<string>();
        var at = markdown.IndexOf(Marker, StringComparison.Ordinal);
        while (at >= 0)
        {
            var block = Regex.Match(markdown[(at + Marker.Length)..], @"\A\s*```bash\n(.*?)\n```", RegexOptions.Singleline);
            if (!block.Success) throw new InvalidOperationException($"'{Marker}' at offset {at} is not followed by a ```bash block.");
            blocks.Add(block.Groups[1].Value);
            at = markdown.IndexOf(Marker, at + Marker.Length, StringComparison.Ordinal);
        }
        return blocks;
    }

    [Fact]
    public void The_walkthrough_blocks_are_marked_and_paste_as_they_run()
    {
        var blocks = WalkthroughBlocks(File.ReadAllText(PagePath("README.md")));
        Assert.True(blocks.Count >= 4, $"README.md marks {blocks.Count} walk-through blocks; expected the walk-through's steps.");
        Assert.NotEmpty(WalkthroughBlocks(File.ReadAllText(PagePath(Pages[1]))));
        var script = Script();
        // An alias does not expand in a script (bash -c, bash file): every request would answer 401.
        Assert.DoesNotMatch(@"(?m)^\s*alias\s", script);
        // Placeholders a reader must replace by hand break both the paste and the script.
        Assert.DoesNotMatch(@"<[a-z][a-z ]*>", script);
        // Pasted into an interactive bash, '!' starts a history expansion (except before a blank, '=' or '(').
        Assert.DoesNotMatch(@"![^\s=(]", script);
    }

    [Fact]
    public async Task The_readme_walkthrough_runs_as_a_script_against_the_running_service()
    {
        var script = Script();
        var file = Path.Combine(Path.GetTempPath(), "bcp-walkthrough-" + Guid.NewGuid().ToString("N")[..8] + ".sh");
        await File.WriteAllTextAsync(file, script);
        await using var emulator = await EmulatorProcess.StartAsync(await SharedAzurite.ConnectionStringAsync(), TimeSpan.FromSeconds(90));
        try
        {
            var started = Stopwatch.StartNew();
            var (exit, stdout, stderr) = await RunBashAsync(file, emulator.HttpBase.GetLeftPart(UriPartial.Authority), TimeSpan.FromMinutes(3));
            output.WriteLine($"bash -euo pipefail walkthrough.sh: exit {exit} after {started.Elapsed.TotalSeconds:0.0} s\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}");
            Assert.True(exit == 0, $"The walk-through failed (exit {exit}).\n--- stderr ---\n{AzCliFixture.Tail(stderr)}\n--- stdout ---\n{AzCliFixture.Tail(stdout)}\n--- emulator log ---\n{AzCliFixture.Tail(emulator.Log)}");

            // What a newcomer reads on the screen: the backup job Completed, a recovery point, the restore Completed, the
            // restored disk naming the VM it came from, and a backup cancelled while the late agent held it.
            var jobs = Regex.Matches(stdout, @"^job ([0-9a-f-]{36}): (\w+)$", RegexOptions.Multiline).Select(m => (Id: m.Groups[1].Value, Status: m.Groups[2].Value)).ToList();
            var finals = jobs.GroupBy(j => j.Id).Select(g => g.Last().Status).ToList();
            Assert.Equal(["Completed", "Completed", "Cancelled"], finals);
            Assert.Matches(@"(?m)^recovery point: \d+$", stdout);
            Assert.Contains("\"Job Type\": \"Recover disks\"", stdout);
            Assert.Matches(@"/vm1-[0-9a-f]{32}/osdisk\.vhd", stdout);
            Assert.Contains("BackupControlPlane emulated disk", stdout);
            Assert.Contains("disk: osdisk", stdout);
            Assert.Contains("\"mode\":\"late\"", stdout.Replace(" ", ""));
            // docs/backup-and-restore.md: a policy change, stop with data kept, soft delete, undelete with the points back.
            Assert.Equal(["item: Protected policy: weekly deferred delete: False", "item: ProtectionStopped policy: - deferred delete: False",
                "item: ProtectionStopped policy: - deferred delete: True", "item: ProtectionStopped policy: - deferred delete: False"],
                Regex.Matches(stdout, "^item: .*$", RegexOptions.Multiline).Select(m => m.Value).ToList());
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static async Task<(int Exit, string StdOut, string StdErr)> RunBashAsync(string script, string serviceAddress, TimeSpan timeout)
    {
        var start = new ProcessStartInfo("bash");
        foreach (var a in new[] { "-euo", "pipefail", script }) start.ArgumentList.Add(a);
        start.Environment["BCP"] = serviceAddress;
        // Everything goes to 127.0.0.1; a proxy from the caller's environment must not capture it.
        start.Environment["NO_PROXY"] = start.Environment["no_proxy"] = "127.0.0.1,localhost";
        var (exit, stdout, stderr) = await ChildProcess.RunAsync(start, timeout);
        return exit is { } code ? (code, stdout, stderr) : (-1, stdout, stderr + $"\n(killed after {timeout.TotalSeconds:0} s)");
    }

    private static string Script() => string.Join("\n\n", Pages.SelectMany(page => WalkthroughBlocks(File.ReadAllText(PagePath(page)))));

    private static string PagePath(string page) => Path.Combine(OpenApiDocumentTests.RepositoryRoot(), page);
}
