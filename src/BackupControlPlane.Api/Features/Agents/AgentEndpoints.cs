using System.Net;
using System.Security.Cryptography.X509Certificates;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Infrastructure;
using BackupControlPlane.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BackupControlPlane.Api.Features.Agents;

public static class AgentEndpoints
{
    public static void MapAgents(this IEndpointRouteBuilder app)
    {
        app.MapPost(AgentRoutes.Register, Register).WithTags("Agent protocol")
            .WithSummary("Register the public part of the agent's own certificate with the VM's provisioning secret; answers the agent's credential.");
        var agent = app.MapGroup("").WithTags("Agent protocol").RequireAuthorization(AgentAuthenticationHandler.Policy);
        agent.MapGetAtRuntime(AgentRoutes.GoalState, GetGoalState)
            .WithSummary("Long-poll: answers when the VM's incarnation exceeds ?incarnation= or after the hold time. Authorization: VmAgent {key}.");
        agent.MapPost(AgentRoutes.ExtensionStatus, ReportExtension);

        app.MapGet(AgentRoutes.Fleet, ListFleet).WithTags("Emulator control").AddEndpointFilter(LocalOnly)
            .WithSummary("Every emulated VM with its agent credential: the emulator's stand-in for 'the VM booted'. Local callers only.");
        var faults = app.MapGroup(AgentRoutes.Fault).WithTags("Emulator control").AddEndpointFilter(LocalOnly);
        faults.MapGet("", GetFault).WithSummary("The fault injected into this VM's agent, if any. Local callers only.");
        faults.MapPut("", PutFault).InOneTransaction()
            .WithSummary("Inject a fault into this VM's agent at run time: silent, late (seconds), fail (extension code), crash, offline (seconds), or one of Azure's failures: nonetwork, fsfreeze, snapshot-timeout, install-failed, vss, rp-limit, agent-outdated. Delivered in the agent's goal state. Local callers only.");
        faults.MapDelete("", DeleteFault).WithSummary("Clear the fault injected into this VM's agent. Local callers only.");
    }

    private static async Task<Ok<List<AgentFleetMember>>> ListFleet(BackupDbContext db, AgentCredentials credentials, CancellationToken ct)
    {
        var vms = await db.VirtualMachines.AsNoTracking().OrderBy(v => v.Id).ToListAsync(ct);
        return TypedResults.Ok(vms.Select(v => new AgentFleetMember(ArmIds.VirtualMachine(v.SubscriptionId, v.ResourceGroup, v.Name), v.VmId.ToString(), v.OsType,
            credentials.ProvisioningSecretFor(v.VmId))).ToList());
    }

    private static async Task<Results<Ok<AgentFault>, NoContent, ProblemHttpResult>> GetFault(string vmId, BackupDbContext db, CancellationToken ct)
    {
        if (await FindByVmIdAsync(db, vmId, ct) is not { } vm) return VmNotFound(vmId);
        return vm.AgentFaultJson is null ? TypedResults.NoContent() : TypedResults.Ok(System.Text.Json.JsonSerializer.Deserialize<AgentFault>(vm.AgentFaultJson)!);
    }

    private static async Task<Results<Ok<AgentFault>, ProblemHttpResult>> PutFault(string vmId, AgentFault? fault, BackupDbContext db, AgentNotifier notifier,
        HttpContext http, CancellationToken ct)
    {
        if (fault?.Mode is null) return TypedResults.Problem($"Send {{\"mode\": \"{string.Join("|", AgentFault.Modes)}\", \"seconds\": N, \"code\": N}}.", statusCode: 400, title: "Invalid fault");
        fault = fault with { Mode = fault.Mode.ToLowerInvariant() };
        if (fault.Validate() is { } error) return TypedResults.Problem(error, statusCode: 400, title: "Invalid fault");
        if (await FindByVmIdAsync(db, vmId, ct) is not { } vm) return VmNotFound(vmId);
        // The new incarnation reaches a waiting agent at once and is the fault's serial; one transaction (the route's)
        // makes the bump and the fault visible together.
        fault = fault with { Serial = await db.BumpIncarnationAsync(vm.Id, ct) };
        vm.AgentFaultJson = System.Text.Json.JsonSerializer.Serialize(fault);
        await db.SaveChangesAsync(ct);
        OneTransaction.AfterCommit(http, () => notifier.Signal(vm.Id));
        return TypedResults.Ok(fault);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteFault(string vmId, BackupDbContext db, AgentNotifier notifier, CancellationToken ct)
    {
        if (await FindByVmIdAsync(db, vmId, ct) is not { } vm) return VmNotFound(vmId);
        if (vm.AgentFaultJson is not null)
        {
            vm.AgentFaultJson = null;
            await db.SaveChangesAsync(ct);
            // After the fault is gone: an agent seeing the new incarnation must see it gone too.
            await db.BumpIncarnationAsync(vm.Id, ct);
            notifier.Signal(vm.Id);
        }
        return TypedResults.NoContent();
    }

    private static async Task<VirtualMachine?> FindByVmIdAsync(BackupDbContext db, string vmId, CancellationToken ct) =>
        Guid.TryParse(vmId, out var id) ? await db.VirtualMachines.FirstOrDefaultAsync(v => v.VmId == id, ct) : null;

    private static ProblemHttpResult VmNotFound(string vmId) =>
        TypedResults.Problem($"No emulated VM has vmId '{vmId}' (GET {AgentRoutes.Fleet} lists them).", statusCode: 404, title: "VM not found");

    /// <summary>What the goal-state long-poll needs, as one <c>[AsParameters]</c> bundle; no database context, see below.</summary>
    public readonly record struct GoalStateServices(IServiceScopeFactory Scopes, AgentNotifier Notifier, AgentPresence Presence,
        AgentHeartbeats Heartbeats, GoalStateHold Holds, IOptions<EmulatorOptions> Options, Infrastructure.Telemetry.TaskTraces Traces, IdleGoalStates Idle);

    private static async Task<Results<Ok<AgentGoalState>, ProblemHttpResult>> GetGoalState(HttpContext http, [AsParameters] GoalStateServices s, CancellationToken ct,
        long incarnation = -1, int? waitSeconds = null)
    {
        var vm = AgentAuthenticationHandler.Caller(http);
        using var connected = s.Presence.Connect(vm.Id);
        var hold = waitSeconds is { } w ? TimeSpan.FromSeconds(Math.Clamp(w, 0, 300)) : s.Options.Value.GoalStateLongPoll;
        // Stored by a writer of its own, many VMs at a time: the poll does not queue for a write turn.
        s.Heartbeats.Beat(vm);
        using var changes = s.Notifier.Subscribe(vm.Id);
        // The database is used in a scope of its own before the wait and another after it, never across it: a held poll
        // keeps no DbContext out of the pool (issue 22: service memory per held poll).
        // Newer already when its credential was checked (an agent polling again after a change): no wait, no read.
        if (vm.Incarnation > incarnation) hold = TimeSpan.Zero;
        else await using (var before = s.Scopes.CreateAsyncScope())
        {
            var builder = before.ServiceProvider.GetRequiredService<GoalStateBuilder>();
            // Read after subscribing: a change between the read and the wait is not missed. Newer already, or the VM gone: no wait.
            if (!(await builder.IncarnationAsync(vm.Id, ct) <= incarnation)) hold = TimeSpan.Zero;
        }
        await s.Holds.WaitAsync(changes.Changed, hold, ct);
        // Woken by a writer that composed the goal state it committed (backup-now's task, leased to this poll): no read.
        if (changes.Prepared is { Goal.Incarnation: var newer } prepared && newer > incarnation)
        {
            using (prepared.Task is { } task ? s.Traces.Start("bcp.agent.task.deliver", task) : null) return TypedResults.Ok(prepared.Goal);
        }
        // The VM may go while the poll is held (deleted, or an emulator reset): as its next request would be told.
        await using var after = s.Scopes.CreateAsyncScope();
        var goals = after.ServiceProvider.GetRequiredService<GoalStateBuilder>();
        // The hold ran out with nothing signalled (most polls of an idle agent): the task-less goal state built at this
        // incarnation before, if the VM is still there at it, without reading it again (IdleGoalStates).
        if (hold > TimeSpan.Zero && !changes.Changed.IsCompleted && s.Idle.Of(vm) is { } idle && await goals.IncarnationAsync(vm.Id, ct) == idle.Incarnation)
            return TypedResults.Ok(idle);
        return await goals.BuildAsync(vm.Id, ct) is { } goal ? TypedResults.Ok(goal)
            : TypedResults.Problem("The VM of this credential no longer exists.", statusCode: 401, title: "Unauthorized");
    }

    private static async Task<IResult> ReportExtension(HttpContext http, string name, ExtensionHandlerReport report,
        BackupDbContext db, TimeProvider time, CancellationToken ct)
    {
        var vm = AgentAuthenticationHandler.Caller(http);
        // System.Text.Json leaves non-nullable strings null when the JSON lacks them.
        if (report?.Status is null) return TypedResults.Problem("status is required ('Ready' or an error status).", statusCode: 400, title: "Invalid status");
        var ext = await db.VirtualMachineExtensions.FirstOrDefaultAsync(e => e.VirtualMachineId == vm.Id && e.Name == name, ct);
        if (ext is null) return TypedResults.Problem($"The VM has no extension '{name}'.", statusCode: 404, title: "Extension not found");
        var ok = report.Status.Equals("Ready", StringComparison.OrdinalIgnoreCase) || report.Status.Equals("success", StringComparison.OrdinalIgnoreCase);
        ext.ProvisioningState = ok ? "Succeeded" : "Failed";
        ext.HandlerVersionReported = report.HandlerVersion;
        ext.StatusMessage = report.Message;
        ext.StatusTime = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok();
    }

    private static async Task<IResult> Register(HttpContext http, AgentRegistration? body, BackupDbContext db, AgentCredentials credentials,
        IOptions<EmulatorOptions> options, TimeProvider time, CancellationToken ct)
    {
        if (!credentials.TryValidateProvisioningSecret(AgentAuthenticationHandler.Presented(http.Request), out var vmId))
            return TypedResults.Problem($"Send 'Authorization: {AgentRoutes.Scheme} <provisioning secret>' (GET {AgentRoutes.Fleet}) to register.", statusCode: 401, title: "Provisioning secret missing or invalid");
        System.Security.Cryptography.X509Certificates.X509Certificate2 certificate;
        try
        {
            certificate = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(Convert.FromBase64String(body?.Certificate ?? ""));
        }
        catch (Exception e) when (e is FormatException or System.Security.Cryptography.CryptographicException)
        {
            return TypedResults.Problem("certificate must be the base64 DER of an X.509 certificate.", statusCode: 400, title: "Invalid certificate");
        }
        using (certificate)
        {
            var now = time.GetUtcNow();
            if (certificate.HasPrivateKey) return TypedResults.Problem("Register the public part only: the private key never leaves the VM.", statusCode: 400, title: "Invalid certificate");
            if (certificate.GetRSAPublicKey() is not { KeySize: >= 2048 })
                return TypedResults.Problem("The certificate needs an RSA key of 2048 bits or more (CMS key transport).", statusCode: 400, title: "Invalid certificate");
            if (certificate.NotAfter.ToUniversalTime() <= now.UtcDateTime || certificate.NotBefore.ToUniversalTime() > now.UtcDateTime.AddMinutes(5))
                return TypedResults.Problem("The certificate is not valid now.", statusCode: 400, title: "Invalid certificate");
            var vm = await db.VirtualMachines.FirstOrDefaultAsync(v => v.VmId == vmId, ct);
            if (vm is null) return TypedResults.Problem("The VM of this provisioning secret no longer exists.", statusCode: 403, title: "Forbidden");
            vm.AgentCertificate = Convert.ToBase64String(certificate.RawData);
            vm.AgentCertificateThumbprint = certificate.Thumbprint;
            vm.AgentRegistration++;
            await db.SaveChangesAsync(ct);
            // The goal state's protected settings are now for the new certificate; atomic, as a task may bump it too.
            await db.BumpIncarnationAsync(vm.Id, ct);
            var expires = now + options.Value.AgentCredentialLifetime;
            var credential = credentials.Issue(new AgentCredentials.Credential(vm.VmId, vm.AgentRegistration, expires, certificate.Thumbprint));
            return TypedResults.Ok(new AgentCredential(credential, expires, certificate.Thumbprint));
        }
    }

    public static async ValueTask<object?> LocalOnly(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (!RequestLimits.IsLocalOrAllowed(context.HttpContext))
            return TypedResults.Problem("Emulator control routes answer local callers only (set Emulator:AllowRemoteControl to open them).", statusCode: 403, title: "Forbidden");
        return await next(context);
    }
}
