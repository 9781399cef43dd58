using System.Diagnostics;
using System.Globalization;

namespace BackupControlPlane.Api.Infrastructure;

/// <summary>
/// Ephemeral mode (<c>--ephemeral</c> or <c>Emulator:Ephemeral=true</c>): the data folder is a new temporary folder,
/// removed when the service stops gracefully. One that a killed process left behind is removed by the next ephemeral
/// start: each folder holds an <c>owner</c> file naming its process (id and start time, so a reused id is not mistaken
/// for the owner).
/// </summary>
public static class EphemeralData
{
    public const string Prefix = "bcp-ephemeral-";
    private const string OwnerFile = "owner";

    /// <summary>The command line with <c>--ephemeral</c> turned into the configuration key it stands for.</summary>
    public static string[] Arguments(string[] args) =>
        args.Select(a => a is "--ephemeral" or "--Ephemeral" ? "--Emulator:Ephemeral=true" : a).ToArray();

    public static string Create()
    {
        RemoveStale();
        var root = Path.Combine(Path.GetTempPath(), $"{Prefix}{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
        Directory.CreateDirectory(root);
        File.WriteAllText(Path.Combine(root, OwnerFile), $"{Environment.ProcessId} {StartTime(Environment.ProcessId)}");
        return root;
    }

    /// <summary>Removes the folder at a graceful stop: a hosted service registered first, so it stops last (after Azurite).</summary>
    public sealed class Cleanup(DataPaths paths, ILogger<Cleanup> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken ct) => Task.CompletedTask;

        public async Task StopAsync(CancellationToken ct)
        {
            // A child just stopped (Azurite) may still be closing its files: a few tries, a fraction of a second apart.
            for (var attempt = 1; !Remove(paths.Root, attempt == 5 ? logger : null) && attempt < 5; attempt++)
                await Task.Delay(200, CancellationToken.None);
        }
    }

    /// <summary>Folders of ephemeral runs whose process is gone.</summary>
    public static void RemoveStale()
    {
        foreach (var dir in Directory.GetDirectories(Path.GetTempPath(), Prefix + "*"))
        {
            var owner = Path.Combine(dir, OwnerFile);
            string[] parts;
            try
            {
                parts = File.Exists(owner) ? File.ReadAllText(owner).Split(' ') : [];
            }
            catch (IOException)
            {
                continue;
            }
            if (parts is [var pid, var started] && int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && StartTime(id) == started)
                continue; // its process still runs
            if (parts.Length == 0 && Directory.GetCreationTimeUtc(dir) > DateTime.UtcNow.AddMinutes(-1)) continue; // being created right now
            Remove(dir, null);
        }
    }

    private static bool Remove(string dir, ILogger? logger)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
            return true;
        }
        catch (DirectoryNotFoundException)
        {
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger?.LogWarning(e, "Ephemeral data folder {Folder} could not be removed", dir);
            return false;
        }
    }

    /// <summary>The process's start time (Linux: /proc stat field 22; elsewhere the runtime's); empty when it is gone.</summary>
    private static string StartTime(int pid)
    {
        try
        {
            if (OperatingSystem.IsLinux())
            {
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                return stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[19];
            }
            using var process = Process.GetProcessById(pid);
            return process.StartTime.ToUniversalTime().Ticks.ToString(CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or ArgumentException or InvalidOperationException or UnauthorizedAccessException)
        {
            return "";
        }
    }
}
