using System.Security.Claims;
using System.Text.Encodings.Web;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Contracts;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BackupControlPlane.Api.Features.Agents;

/// <summary>
/// The <c>VmAgent</c> authentication scheme of the agent routes: <c>Authorization: VmAgent &lt;credential&gt;</c> with the
/// credential registration answered, signed by the emulator, unexpired on the emulated clock, and for the VM's current
/// registration and certificate. A provisioning secret, a replayed credential of an earlier registration or a forged
/// one is refused with 401; the credential of a VM that no longer exists with 403. Refusals are ProblemDetails, as
/// every answer of our own routes.
/// </summary>
public sealed class AgentAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    AgentCredentials credentials, IServiceScopeFactory scopes, TimeProvider time, AgentPresence presence)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = AgentRoutes.Scheme;
    /// <summary>The authorization policy agent routes require: an agent authenticated by this scheme.</summary>
    public const string Policy = AgentRoutes.Scheme;
    /// <summary>The VM's vmId (as Azure names the VM's unique id), the claim the principal carries.</summary>
    public const string VmIdClaim = "vmid";

    /// <summary>
    /// The authenticated agent's VM, as read when its credential was checked: its identity, incarnation and agent columns,
    /// not its spec, tags, certificate or fault (read those from the database where they are needed).
    /// </summary>
    public static VirtualMachine Caller(HttpContext http) =>
        http.Items[typeof(VirtualMachine)] as VirtualMachine ?? throw new InvalidOperationException("The route does not require the VmAgent policy.");

    /// <summary>The secret after <c>VmAgent </c> in the Authorization header, if that is the header's scheme.</summary>
    public static string? Presented(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        var prefix = AgentRoutes.Scheme + " ";
        return header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) ? header[prefix.Length..].Trim() : null;
    }

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!credentials.TryRead(Presented(Request), out var credential))
            return Refused(401, "Agent credential missing or invalid", $"Send 'Authorization: {AgentRoutes.Scheme} <credential>' as {AgentRoutes.Register} answered it.");
        if (credential.ExpiresOn <= time.GetUtcNow())
            return Refused(401, "Agent credential expired", $"The agent credential expired; register again at {AgentRoutes.Register}.");
        // In a scope of its own, not the request's: the goal-state long-poll then holds no DbContext while it waits.
        VirtualMachine? vm;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<BackupDbContext>();
            vm = await VmByVmId.For(db)(db, credential.VmId, Context.RequestAborted);
        }
        if (vm is null) return Refused(403, "Forbidden", "The VM of this credential no longer exists.");
        if (vm.AgentRegistration != credential.Registration || vm.AgentCertificateThumbprint != credential.Thumbprint)
            return Refused(401, "Agent credential superseded", $"The credential belongs to an earlier registration of this VM's agent; register again at {AgentRoutes.Register}.");

        Context.Items[typeof(VirtualMachine)] = vm;
        // Every authenticated agent request is a sign of life, whatever the route.
        presence.Heard(vm.Id);
        var identity = new ClaimsIdentity([new Claim(VmIdClaim, vm.VmId.ToString()), new Claim(ClaimTypes.NameIdentifier, vm.VmId.ToString())], Scheme.Name);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    // Compiled, and without the VM's large columns (its spec JSON, the certificate): every agent request runs it, an idle
    // agent's long-poll once a hold (issue 22: EF built the query each time, and read the whole row).
    private static readonly CompiledQuery<Func<BackupDbContext, Guid, CancellationToken, Task<VirtualMachine?>>> VmByVmId = new(() =>
        EF.CompileAsyncQuery((BackupDbContext db, Guid vmId, CancellationToken ct) => db.VirtualMachines.Where(v => v.VmId == vmId)
            .Select(v => new VirtualMachine
            {
                Id = v.Id, VmId = v.VmId, SubscriptionId = v.SubscriptionId, ResourceGroup = v.ResourceGroup, Name = v.Name, Key = v.Key,
                Location = v.Location, OsType = v.OsType, CreatedAt = v.CreatedAt, Incarnation = v.Incarnation, TaskSequence = v.TaskSequence,
                AgentLastSeen = v.AgentLastSeen, AgentCertificateThumbprint = v.AgentCertificateThumbprint, AgentRegistration = v.AgentRegistration,
            }).FirstOrDefault()));

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        // The cached outcome of this request's authentication; anything but a refusal (the database down) was thrown already.
        var refusal = (await HandleAuthenticateOnceAsync()).Failure as Refusal
            ?? new Refusal(401, "Agent credential missing or invalid", $"Send 'Authorization: {AgentRoutes.Scheme} <credential>'.");
        if (refusal.Status == StatusCodes.Status401Unauthorized) Response.Headers.WWWAuthenticate = AgentRoutes.Scheme;
        await TypedResults.Problem(refusal.Message, statusCode: refusal.Status, title: refusal.Title).ExecuteAsync(Context);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        TypedResults.Problem("This agent credential does not open this route.", statusCode: 403, title: "Forbidden").ExecuteAsync(Context);

    private static AuthenticateResult Refused(int status, string title, string detail) => AuthenticateResult.Fail(new Refusal(status, title, detail));

    /// <summary>Why a request was refused, carried from authentication to the challenge that answers it.</summary>
    private sealed class Refusal(int status, string title, string detail) : Exception(detail)
    {
        public int Status { get; } = status;
        public string Title { get; } = title;
    }
}
