using System.Diagnostics;
using System.Net;
using BackupControlPlane.Api.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace BackupControlPlane.Api.Tests.Guarantees;

/// <summary>
/// The database's disk fills up, or its file turns read-only under the running service: writes answer 503 in ARM's
/// shape and change nothing, reads are still served, and once the disk is writable again the same request succeeds
/// without a restart and the file is intact. For the full disk the data folder lives on a small tmpfs of its own; the
/// read-only file is made immutable with <c>chattr</c> (both need root, as on these machines and in CI).
/// </summary>
public sealed class DatabaseOutageTests : IAsyncLifetime
{
    private readonly string _mount = Path.Combine(Path.GetTempPath(), "bcp-dbdisk-" + Guid.NewGuid().ToString("N")[..8]);

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_mount);
        await RunAsync("mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", _mount);
    }

    public async Task DisposeAsync()
    {
        await RunAsync("umount", "-l", _mount);
        try { Directory.Delete(_mount, recursive: true); } catch (IOException) { }
    }

    public DatabaseOutageTests(Xunit.Abstractions.ITestOutputHelper output) => _output = output;

    private readonly Xunit.Abstractions.ITestOutputHelper _output;

    [Fact]
    public async Task A_full_disk_gives_clear_503s_loses_nothing_and_heals_without_a_restart()
    {
        var data = Path.Combine(_mount, "data");
        using var app = await EmulatorApp.StartAsync(settings: new() { ["Emulator:DataDirectory"] = data });
        const string rg = "rg-dbdisk";
        await app.Arm.PutVaultAsync(rg, "vault1");

        // Disk full. A commit goes to the write-ahead log first, and SQLite reuses the space its WAL file already holds: a
        // small commit could still fit there with the disk full. So the log is first checkpointed into the database and
        // truncated to nothing; then a filler takes every free byte, and the next commit has nowhere to go: 503.
        await TruncateWriteAheadLogAsync(Path.Combine(data, "backup.db"));
        var filler = Path.Combine(_mount, "filler");
        await FillAsync(filler);
        using (var full = await app.Arm.SendAsync(HttpMethod.Put, ArmTestClient.VaultPath(rg, "vault2"), new { location = "eastus", sku = new { name = "Standard" }, properties = new { } }, "2022-10-01"))
        {
            var body = await full.Content.ReadAsStringAsync();
            _output.WriteLine($"PUT with the disk full answered {(int)full.StatusCode}: {body}");
            Assert.True(full.StatusCode == HttpStatusCode.ServiceUnavailable, $"PUT on a full disk answered {(int)full.StatusCode}: {body}");
            Assert.Contains("\"DatabaseUnavailable\"", body);
            Assert.NotNull(full.Headers.RetryAfter);
        }
        using (var absent = await app.Arm.SendAsync(HttpMethod.Get, ArmTestClient.VaultPath(rg, "vault2"), version: "2022-10-01"))
            Assert.Equal(HttpStatusCode.NotFound, absent.StatusCode); // nothing of the refused vault was written
        await app.Arm.GetAsync(ArmTestClient.VaultPath(rg, "vault1"), "2022-10-01"); // reads still answer
        File.Delete(filler);
        await app.Arm.PutVaultAsync(rg, "vault2");

        var vaults = (await app.Arm.GetAsync(ArmTestClient.Rg(rg) + "/providers/Microsoft.RecoveryServices/vaults", "2022-10-01"))["value"]!.AsArray();
        Assert.Equal(["vault1", "vault2"], vaults.Select(v => v!["name"]!.GetValue<string>()).Order());
        await using var db = new SqliteConnection($"Data Source={Path.Combine(data, "backup.db")};Mode=ReadOnly");
        await db.OpenAsync();
        await using var check = db.CreateCommand();
        check.CommandText = "PRAGMA integrity_check";
        Assert.Equal("ok", (string?)await check.ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_read_only_database_file_gives_clear_503s_loses_nothing_and_heals_without_a_restart()
    {
        // Not on the tmpfs: tmpfs checks immutability only when a file is opened, and the service's pooled connections
        // are already open. ext4, the machines' disk, refuses every write to an immutable file.
        var data = Directory.CreateTempSubdirectory("bcp-dbro-").FullName;
        using var app = await EmulatorApp.StartAsync(settings: new() { ["Emulator:DataDirectory"] = data });
        const string rg = "rg-dbro";
        await app.Arm.PutVaultAsync(rg, "vault1");
        await app.Arm.PutVmAsync(rg, "vmro");

        // The database and its write-ahead log become immutable, as a read-only file or mount would be. (The shared-memory
        // index stays writable: SQLite maps it, and a mapping that cannot be written kills the process with SIGBUS.)
        var files = new[] { "backup.db", "backup.db-wal" }.Select(f => Path.Combine(data, f)).Where(File.Exists).ToArray();
        await RunAsync("chattr", ["+i", .. files]);
        try
        {
            using (var vault = await app.Arm.SendAsync(HttpMethod.Put, ArmTestClient.VaultPath(rg, "vault2"), new { location = "eastus", sku = new { name = "Standard" }, properties = new { } }, "2022-10-01"))
                await AssertRefusedAsync(vault, "PUT vault");
            using (var enable = await app.Arm.EnableProtectionAsync(rg, "vault1", "vmro"))
                await AssertRefusedAsync(enable, "enable protection");
            // Reads are still served, and show that nothing of the refused requests was written.
            await app.Arm.GetAsync(ArmTestClient.VaultPath(rg, "vault1"), "2022-10-01");
            using (var absent = await app.Arm.SendAsync(HttpMethod.Get, ArmTestClient.VaultPath(rg, "vault2"), version: "2022-10-01"))
                Assert.Equal(HttpStatusCode.NotFound, absent.StatusCode);
            Assert.Empty((await app.Arm.GetAsync(ArmTestClient.VaultPath(rg, "vault1") + "/backupProtectedItems"))["value"]!.AsArray());
        }
        finally
        {
            await RunAsync("chattr", ["-i", .. files]);
        }

        // Writable again: the same requests succeed on the running service.
        await app.Arm.PutVaultAsync(rg, "vault2");
        using (var enabled = await app.Arm.EnableProtectionAsync(rg, "vault1", "vmro")) Assert.Equal(HttpStatusCode.Accepted, enabled.StatusCode);
        var items = (await app.Arm.GetAsync(ArmTestClient.VaultPath(rg, "vault1") + "/backupProtectedItems"))["value"]!.AsArray();
        Assert.Equal("vmro", Assert.Single(items)!["properties"]!["friendlyName"]!.GetValue<string>());
        await using var db = new SqliteConnection($"Data Source={Path.Combine(data, "backup.db")};Mode=ReadOnly");
        await db.OpenAsync();
        await using var check = db.CreateCommand();
        check.CommandText = "PRAGMA integrity_check";
        Assert.Equal("ok", (string?)await check.ExecuteScalarAsync());
    }

    private async Task AssertRefusedAsync(HttpResponseMessage response, string what)
    {
        var body = await response.Content.ReadAsStringAsync();
        _output.WriteLine($"{what} with the database read-only: {(int)response.StatusCode} {body}");
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{what} answered {(int)response.StatusCode}: {body}");
        Assert.Contains("\"DatabaseUnavailable\"", body);
        Assert.Contains("read-only", body); // where to look, not only SQLite's "disk I/O error"
        Assert.NotNull(response.Headers.RetryAfter);
    }

    /// <summary>Checkpoints the database's WAL into it and truncates the log to zero bytes, once no reader holds it back.</summary>
    private static async Task TruncateWriteAheadLogAsync(string database)
    {
        await using var db = new SqliteConnection($"Data Source={database};Pooling=false");
        await db.OpenAsync();
        await Poll.Until(async () =>
        {
            await using var checkpoint = db.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
            await using var result = await checkpoint.ExecuteReaderAsync();
            return await result.ReadAsync() && result.GetInt32(0) == 0 && new FileInfo(database + "-wal").Length == 0; // not busy, log empty
        }, "the write-ahead log to be checkpointed and truncated");
    }

    private static async Task FillAsync(string path)
    {
        await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
        var chunk = new byte[1024 * 1024];
        try
        {
            while (true) await file.WriteAsync(chunk);
        }
        catch (IOException)
        {
            // No space left: exactly what we wanted.
        }
        // Whatever is left is smaller than a chunk; take it with small writes.
        try
        {
            while (true) await file.WriteAsync(chunk.AsMemory(0, 4096));
        }
        catch (IOException) { }
    }

    private static async Task RunAsync(string command, params string[] args)
    {
        var psi = new ProcessStartInfo(command) { RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{command} {string.Join(' ', args)} failed ({process.ExitCode}): {error} — this test needs root to mount a tmpfs.");
    }
}
