namespace BackupControlPlane.Api.Tests.Infrastructure;

/// <summary>
/// openapi/backup-control-plane.v1.json is the service's generated document, checked in. Run the tests with
/// UPDATE_OPENAPI=1 to rewrite it after an intended API change.
/// </summary>
public sealed class OpenApiDocumentTests
{
    [Fact]
    public async Task The_checked_in_OpenAPI_document_matches_the_service()
    {
        var app = await EmulatorApp.SharedAsync();
        var live = (await app.Client.GetStringAsync("/openapi/v1.json")).ReplaceLineEndings("\n").TrimEnd() + "\n";
        // The server URL is per run; everything else must match.
        live = System.Text.RegularExpressions.Regex.Replace(live, "\"url\": \"http://127\\.0\\.0\\.1:\\d+/?\"", "\"url\": \"http://127.0.0.1:5080/\"");
        var file = Path.Combine(RepositoryRoot(), "openapi", "backup-control-plane.v1.json");
        if (Environment.GetEnvironmentVariable("UPDATE_OPENAPI") == "1") await File.WriteAllTextAsync(file, live);
        Assert.True(File.Exists(file), "openapi/backup-control-plane.v1.json is missing; run the tests once with UPDATE_OPENAPI=1.");
        Assert.Equal(await File.ReadAllTextAsync(file), live);
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "BackupControlPlane.sln"))) return dir.FullName;
        throw new InvalidOperationException("BackupControlPlane.sln not found above the test binaries.");
    }
}
