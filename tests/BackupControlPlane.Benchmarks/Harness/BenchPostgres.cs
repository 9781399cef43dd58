using System.Diagnostics;
using BackupControlPlane.Api.Infrastructure;
using Npgsql;

namespace BackupControlPlane.Benchmarks.Harness;

/// <summary>
/// A throw-away PostgreSQL cluster for one run, as the tests' SharedPostgres makes one: Debian's server binaries
/// (/usr/lib/postgresql/N/bin), initdb into a temp folder, a free port, stopped and deleted at the end (also when the
/// harness is killed: a watcher process stops it once the harness is gone). PostgreSQL refuses to run as root, so as
/// root the cluster runs as the 'postgres' system user (runuser). Set BCP_BENCH_POSTGRES to the connection string of an
/// existing server (a user allowed to create databases) to use that instead.
/// </summary>
/// <remarks>
/// Durability as the service's SQLite (WAL, synchronous=NORMAL: a commit is not flushed, a crash loses the last
/// commits but never corrupts): synchronous_commit=off, with fsync and full_page_writes left on. The tests also turn
/// those off; a benchmark should not measure a server that may corrupt itself on a crash.
/// </remarks>
public sealed class BenchPostgres : IAsyncDisposable
{
    /// <summary>
    /// The server's settings; with pg_stat_statements loaded when the binaries have it (a few % of the server's CPU), so a
    /// run can count the statements it caused (<see cref="PgStatements"/>).
    /// </summary>
    public static string ServerSettings { get; } = "synchronous_commit=off max_connections=400" +
        (FindBinaries() is { } bin && File.Exists(Path.Combine(Path.GetDirectoryName(bin)!, "lib", "pg_stat_statements.so"))
            ? " shared_preload_libraries=pg_stat_statements" : "");

    private readonly string? _bin, _root, _data;
    private readonly bool _asRoot;

    private BenchPostgres(string admin, string? bin, string? root, string? data, bool asRoot, string version)
    {
        Admin = admin;
        _bin = bin;
        _root = root;
        _data = data;
        _asRoot = asRoot;
        Version = version;
    }

    /// <summary>The connection string of the cluster's superuser, on the 'postgres' database.</summary>
    public string Admin { get; }
    public string Version { get; }

    public static string? FindBinaries() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0)
                .Select(d => Path.Combine(d, "bin")).FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")))
            : null;

    public static bool Available => Environment.GetEnvironmentVariable("BCP_BENCH_POSTGRES") is { Length: > 0 } || FindBinaries() is not null;

    public static async Task<BenchPostgres> StartAsync()
    {
        if (Environment.GetEnvironmentVariable("BCP_BENCH_POSTGRES") is { Length: > 0 } given)
            return new BenchPostgres(given, null, null, null, false, await ServerVersionAsync(given));
        var bin = FindBinaries() ?? throw new InvalidOperationException(
            "PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql), and BCP_BENCH_POSTGRES is not set.");
        var root = Path.Combine(Path.GetTempPath(), "bcp-bench-pg-" + Guid.NewGuid().ToString("N")[..8]);
        var data = Path.Combine(root, "data");
        Directory.CreateDirectory(root);
        var asRoot = Environment.UserName == "root";
        if (asRoot) Run("chown", ["postgres:postgres", root], asRoot: false);
        var port = AzuriteProcess.FreePort();
        var cluster = new BenchPostgres($"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres", bin, root, data, asRoot, "");
        try
        {
            await Task.Run(() =>
            {
                Run(Path.Combine(bin, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"], asRoot);
                var settings = string.Join(' ', ServerSettings.Split(' ').Select(s => "-c " + s));
                Run(Path.Combine(bin, "pg_ctl"), ["-D", data, "-l", Path.Combine(root, "server.log"), "-w", "-t", "60",
                    "-o", $"-p {port} -k {root} -c listen_addresses=127.0.0.1 {settings}", "start"], asRoot);
            });
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
        // A harness that is killed runs no exit handler: stop the cluster once the harness is gone.
        WhenThisProcessExits.Run($"{(asRoot ? "runuser -u postgres -- " : "")}{Path.Combine(bin, "pg_ctl")} -D {data} -m immediate stop; rm -rf {root}");
        return new BenchPostgres(cluster.Admin, bin, root, data, asRoot, await ServerVersionAsync(cluster.Admin));
    }

    /// <summary>The postmaster's process id (null for a server given by BCP_BENCH_POSTGRES), to read its CPU time.</summary>
    public int? ServerPid =>
        _data is not null && File.Exists(Path.Combine(_data, "postmaster.pid")) && int.TryParse(File.ReadLines(Path.Combine(_data, "postmaster.pid")).FirstOrDefault(), out var pid)
            ? pid : null;

    /// <summary>A new, empty database on the cluster; its connection string.</summary>
    public async Task<string> NewDatabaseAsync(string prefix)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 9, 63)].ToLowerInvariant();
        await using (var connection = new NpgsqlConnection(Admin))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(Admin) { Database = name }.ConnectionString;
    }

    private static async Task<string> ServerVersionAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        return connection.PostgreSqlVersion.ToString();
    }

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

    public async ValueTask DisposeAsync()
    {
        if (_bin is null || _data is null || _root is null) return;
        NpgsqlConnection.ClearAllPools();
        if (File.Exists(Path.Combine(_data, "postmaster.pid")))
            try { await Task.Run(() => Run(Path.Combine(_bin, "pg_ctl"), ["-D", _data, "-m", "immediate", "-w", "stop"], _asRoot)); }
            catch (InvalidOperationException) { }
        // The server may still be removing its own files for a moment after it stopped.
        for (var attempt = 0; attempt < 5 && Directory.Exists(_root); attempt++)
        {
            try { Directory.Delete(_root, recursive: true); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { await Task.Delay(200); }
        }
    }
}
