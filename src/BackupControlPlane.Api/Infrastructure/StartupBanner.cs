using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace BackupControlPlane.Api.Infrastructure;

/// <summary>Lines a slice adds to the startup banner (how to reach what it serves), given the service's addresses.</summary>
public interface IBannerLines
{
    IEnumerable<string> Lines(string http, string? https);
}

public static class StartupBanner
{
    public static void Print(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
        var address = addresses.FirstOrDefault(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase)) ?? addresses.FirstOrDefault();
        var https = addresses.FirstOrDefault(a => a.StartsWith("https://", StringComparison.OrdinalIgnoreCase));
        if (address is null) return;
        var o = app.Services.GetRequiredService<IOptions<EmulatorOptions>>().Value;
        var storage = app.Services.GetRequiredService<BlobStorage>().Service.Uri;
        var fleet = app.Services.GetRequiredService<IOptions<DemoFleetOptions>>().Value.Enabled;
        var paths = app.Services.GetRequiredService<DataPaths>();
        var more = string.Concat(app.Services.GetServices<IBannerLines>().SelectMany(b => b.Lines(address, https)).Select(l => "\n  " + l));
        Console.WriteLine($"""

            BackupControlPlane is running
              Backup center      {address}/
              API (ARM)          {address}/subscriptions/{o.DefaultSubscriptionId}/...{(https is null ? "" : $"\n  API over HTTPS     {https}  (trust {TlsCertificates.CaPath(paths)})")}
              Swagger UI         {address}/swagger
              Hangfire dashboard {address}/hangfire
              Health             {address}/healthz  {address}/readyz
              Blob storage       {storage}
              Data folder        {paths.Root}{(paths.Ephemeral ? "  (ephemeral: removed at exit)" : "")}
              Demo agent fleet   {(fleet ? "on (one agent per emulated VM)" : "off")}{more}

            """);
    }
}
