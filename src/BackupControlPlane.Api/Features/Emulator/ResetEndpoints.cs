using BackupControlPlane.Api.Features.Agents;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace BackupControlPlane.Api.Features.Emulator;

public static class ResetEndpoints
{
    public static void MapReset(this IEndpointRouteBuilder app)
    {
        app.MapPostAtRuntime("/emulator/reset", Reset).WithTags("Emulator control").AddEndpointFilter(AgentEndpoints.LocalOnly)
            .WithSummary("Start fresh without a restart: deletes every database row (the schema stays), Hangfire's pending and running jobs, " +
                "and the blob containers and disk blobs the emulator created; agents of the deleted VMs are dropped. The certificate " +
                "authority survives unless regenerateCa=true. Local callers only.");
    }

    private static async Task<Results<Ok<EmulatorReset.Result>, ProblemHttpResult>> Reset(EmulatorReset reset,
        IOptions<Infrastructure.TlsOptions> tls, CancellationToken ct, bool regenerateCa = false)
    {
        if (regenerateCa && !string.IsNullOrEmpty(tls.Value.CertificatePath))
            return TypedResults.Problem("regenerateCa: the service serves the configured Tls:CertificatePath, not its own CA; nothing was reset.",
                statusCode: 400, title: "Invalid reset");
        return TypedResults.Ok(await reset.RunAsync(regenerateCa, ct));
    }
}
