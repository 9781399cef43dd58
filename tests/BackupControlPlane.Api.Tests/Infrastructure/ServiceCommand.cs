using System.Diagnostics;

namespace BackupControlPlane.Api.Tests.Infrastructure;

public static class ServiceCommand
{
    /// <summary>
    /// The built service as its own process (<c>dotnet BackupControlPlane.Api.dll --Urls=… args</c>, Production
    /// environment, output captured); with <paramref name="ownProcessGroup"/> under <c>setsid</c>, so one signal reaches
    /// the service and every child it starts.
    /// </summary>
    public static ProcessStartInfo For(Uri baseAddress, IEnumerable<string> args, bool ownProcessGroup = false)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
        var psi = new ProcessStartInfo(ownProcessGroup ? "setsid" : dotnet)
        {
            UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory,
        };
        if (ownProcessGroup) psi.ArgumentList.Add(dotnet);
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "BackupControlPlane.Api.dll"));
        psi.ArgumentList.Add($"--Urls={baseAddress.GetLeftPart(UriPartial.Authority)}");
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        psi.Environment["DOTNET_ENVIRONMENT"] = "Production";
        return psi;
    }
}
