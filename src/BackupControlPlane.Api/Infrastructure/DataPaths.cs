namespace BackupControlPlane.Api.Infrastructure;

public sealed class DataPaths(string root)
{
    public string Root { get; } = root;
    /// <summary>A temporary folder removed at exit (<see cref="EphemeralData"/>).</summary>
    public bool Ephemeral { get; init; }
    public string Database => Path.Combine(Root, "backup.db");
    public string HangfireDatabase => Path.Combine(Root, "hangfire.db");
    public string Azurite => Path.Combine(Root, "azurite");

    /// <summary>
    /// A generated secret kept in the data folder under <paramref name="name"/>: written once from
    /// <paramref name="generate"/>, then read; nodes sharing the folder that start together all read the first one written.
    /// </summary>
    public string Secret(string name, Func<string> generate)
    {
        var file = Path.Combine(Root, name);
        if (!File.Exists(file))
        {
            try
            {
                using var stream = new FileStream(file, FileMode.CreateNew, FileAccess.Write);
                stream.Write(System.Text.Encoding.ASCII.GetBytes(generate()));
            }
            catch (IOException) when (File.Exists(file))
            {
                // Another node created it first; use theirs.
            }
        }
        return File.ReadAllText(file).Trim();
    }

    public static DataPaths Create(string contentRoot, EmulatorOptions options)
    {
        if (options.Ephemeral) return new DataPaths(EphemeralData.Create()) { Ephemeral = true };
        var root = Path.GetFullPath(Path.Combine(contentRoot, options.DataDirectory));
        Directory.CreateDirectory(root);
        return new DataPaths(root);
    }
}
