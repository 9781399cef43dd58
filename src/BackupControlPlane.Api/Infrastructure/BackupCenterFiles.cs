using Microsoft.Extensions.FileProviders;

namespace BackupControlPlane.Api.Infrastructure;

/// <summary>
/// The Backup center page at <c>/</c>: plain HTML, JavaScript modules and CSS from <c>wwwroot</c>, embedded in the
/// assembly, so <c>dotnet run</c>, the .NET tool and the container serve the same files whatever their content root.
/// The page reads the public ARM API with a managed-identity token, like Swagger UI: it has no data route of its own.
/// </summary>
public static class BackupCenterFiles
{
    public static WebApplication UseBackupCenter(this WebApplication app)
    {
        var files = new EmbeddedFileProvider(typeof(BackupCenterFiles).Assembly, "BackupControlPlane.Api.wwwroot");
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files, DefaultFileNames = ["index.html"] });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            // Modules change with the service; the browser revalidates rather than running a stale page against a new API.
            OnPrepareResponse = c => c.Context.Response.Headers.CacheControl = "no-cache",
        });
        return app;
    }
}
