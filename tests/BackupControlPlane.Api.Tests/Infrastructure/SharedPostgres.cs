using System.Diagnostics;
using BackupControlPlane.Api.Infrastructure;
using Npgsql;

namespace BackupControlPlane.Api.Tests.Infrastructure;

/// <summary>
/// One real, throw-away PostgreSQL cluster for the whole test run (Debian's server binaries, initdb into a temp folder,
/// a free port, stopped at the end); every test gets a database of its own on it. Set BCP_TEST_POSTGRES to the
/// connection string of an existing server (a user allowed to create databases) to use that instead.
/// </summary>
public static class SharedPostgres
{
    private static readonly Lazy<Task<string>> Admin = new(StartAsync);

    /// <summary>A new, empty database on the shared server; its connection string.</summary>
    public static async Task<string> NewDatabaseAsync(string prefix)
    {
        var admin = await Admin.Value;
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 63)].ToLowerInvariant();
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
    }

    private static async Task<string> StartAsync()
    {
        if (Environment.GetEnvironmentVariable("BCP_TEST_POSTGRES") is { Length: > 0 } given) return given;
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0)
                .Select(d => Path.Combine(d, "bin")).FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")))
            : null;
        if (bin is null)
            throw new InvalidOperationException("PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql), and BCP_TEST_POSTGRES is not set.");

        RemoveStaleClusters();
        var root = Path.Combine(Path.GetTempPath(), "bcp-tests-pg-" + Guid.NewGuid().ToString("N")[..8]);
        var data = Path.Combine(root, "data");
        Directory.CreateDirectory(root);
        // PostgreSQL refuses to run as root: as root, the cluster belongs to the 'postgres' system user.
        var asRoot = Environment.UserName == "root";
        if (asRoot) await RunAsync("chown", ["postgres:postgres", root], asRoot: false);
        var port = AzuriteProcess.FreePort();
        await RunAsync(Path.Combine(bin, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"], asRoot);
        await RunAsync(Path.Combine(bin, "pg_ctl"), ["-D", data, "-l", Path.Combine(root, "server.log"), "-w", "-t", "60",
            "-o", $"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400",
            "start"], asRoot);
        // A test host that is killed runs no exit handler: stop the cluster once the host is gone.
        WhenThisProcessExits.Run($"{(asRoot ? "runuser -u postgres -- " : "")}{Path.Combine(bin, "pg_ctl")} -D {data} -m immediate stop; rm -rf {root}");
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            // Synchronous on purpose: at process exit there is no time for the thread pool.
            try { Run(Path.Combine(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"], asRoot); } catch (Exception) { }
            DeleteDirectory(root);
        };
        return $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres";
    }

    private static Task RunAsync(string file, IReadOnlyList<string> args, bool asRoot) => Task.Run(() => Run(file, args, asRoot));

    private static void Run(string file, IReadOnlyList<string> args, bool asRoot)
    {
        var psi = new ProcessStartInfo(asRoot ? "runuser" : file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (asRoot) foreach (var a in new[] { "-u", "postgres", "--", file }) psi.ArgumentList.Add(a);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited with {process.ExitCode}: {stdout.Result}{stderr.Result}");
    }

    /// <summary>Folders of earlier runs whose server is gone (a test host killed before its exit handler ran).</summary>
    private static void RemoveStaleClusters()
    {
        foreach (var dir in Directory.GetDirectories(Path.GetTempPath(), "bcp-tests-pg-*"))
        {
            var pidFile = Path.Combine(dir, "data", "postmaster.pid");
            var alive = File.Exists(pidFile) && int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), out var pid) && Directory.Exists($"/proc/{pid}");
            if (!alive && Directory.GetCreationTimeUtc(dir) < DateTime.UtcNow.AddMinutes(-10)) DeleteDirectory(dir);
        }
    }

    private static void DeleteDirectory(string dir)
    {
        // The server may still be removing its own files for a moment after it stopped.
        for (var attempt = 0; attempt < 5 && Directory.Exists(dir); attempt++)
        {
            try { Directory.Delete(dir, recursive: true); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { Thread.Sleep(200); }
        }
    }
}
