namespace BackupControlPlane.Api.Infrastructure;

public sealed class DataPaths(string root)
{
    public string Root { get; } = root;
    public string Database => Path.Combine(Root, "backup.db");
    public string HangfireDatabase => Path.Combine(Root, "hangfire.db");
    public string Azurite => Path.Combine(Root, "azurite");

    public static DataPaths Create(string contentRoot, EmulatorOptions options)
    {
        var root = Path.GetFullPath(Path.Combine(contentRoot, options.DataDirectory));
        Directory.CreateDirectory(root);
        return new DataPaths(root);
    }
}
