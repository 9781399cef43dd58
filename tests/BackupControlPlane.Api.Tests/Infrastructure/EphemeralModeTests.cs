using System.Diagnostics;
using System.Net;
using System.Text;
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
            using var process = Process.Start(psi)!;
            var log = new StringBuilder();
            process.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
            process.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            string Log() { lock (log) return log.ToString(); }
            try
            {
                await Readiness.WaitAsync(address, process, Log, TimeSpan.FromMinutes(1));
                Assert.False(Directory.Exists(stale), "the stale folder of a dead process is still there");
                var data = Assert.Single(Directory.GetDirectories(tmp, $"{EphemeralData.Prefix}{process.Id}-*"));
                Assert.True(File.Exists(Path.Combine(data, "backup.db")), $"no database in {data}");
                Assert.Contains("(ephemeral: removed at exit)", Log());
                using var http = new HttpClient { BaseAddress = address };
                Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/")).StatusCode);

                using (var term = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", process.Id.ToString() }, UseShellExecute = false }))
                    await term!.WaitForExitAsync();
                using var exited = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await process.WaitForExitAsync(exited.Token);
                Assert.Equal(0, process.ExitCode);
                Assert.False(Directory.Exists(data), $"{data} is still there after a graceful stop:\n{Log()}");
            }
            finally
            {
                if (!process.HasExited) process.Kill(entireProcessTree: true);
            }
        }
        finally
        {
            Directory.Delete(tmp, recursive: true);
        }
    }
}
