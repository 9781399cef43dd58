using System.Diagnostics;
using System.Net;
using BackupControlPlane.Api.Infrastructure;

namespace BackupControlPlane.Api.Tests.Infrastructure;

/// <summary>
/// The service started with <c>--ephemeral</c>, as a CI job would: its data lives in a new temporary folder, which is
/// gone once the service stops on SIGTERM; a folder a killed ephemeral run left behind is removed at the next start.
/// </summary>
public sealed class EphemeralModeTests
{
    [Fact]
    public async Task Ephemeral_data_lives_in_a_temporary_folder_removed_at_exit_and_stale_ones_are_swept()
    {
        // A temporary folder of our own (TMPDIR), so the sweep sees only this test's folders.
        var tmp = Directory.CreateTempSubdirectory("bcp-ephemeral-test-").FullName;
        try
        {
            var stale = Path.Combine(tmp, EphemeralData.Prefix + "999999-deadbeef");
            Directory.CreateDirectory(stale);
            await File.WriteAllTextAsync(Path.Combine(stale, "owner"), "999999 12345");
            await File.WriteAllTextAsync(Path.Combine(stale, "backup.db"), "left by a killed run");

            var address = new Uri($"http://127.0.0.1:{AzuriteProcess.FreePort()}");
            var psi = ServiceCommand.For(address, ["--ephemeral", "--Storage:StartAzurite=false", "--DemoFleet:Enabled=false",
                $"--Storage:ConnectionString={await SharedAzurite.ConnectionStringAsync()}"]);
            psi.Environment["TMPDIR"] = tmp;
            using var process = LoggedProcess.Start(psi);
            await process.WaitUntilReadyAsync(address, TimeSpan.FromMinutes(1));
            Assert.False(Directory.Exists(stale), "the stale folder of a dead process is still there");
            var data = Assert.Single(Directory.GetDirectories(tmp, $"{EphemeralData.Prefix}{process.Id}-*"));
            Assert.True(File.Exists(Path.Combine(data, "backup.db")), $"no database in {data}");
            Assert.Contains("(ephemeral: removed at exit)", process.Log);
            using var http = new HttpClient { BaseAddress = address };
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/")).StatusCode);

            Assert.Equal(0, await process.TerminateAsync());
            Assert.False(Directory.Exists(data), $"{data} is still there after a graceful stop:\n{process.Log}");
        }
        finally
        {
            Directory.Delete(tmp, recursive: true);
        }
    }
}
