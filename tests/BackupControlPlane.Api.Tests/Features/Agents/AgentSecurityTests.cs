using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using BackupControlPlane.Agent;
using BackupControlPlane.Api.Tests.Infrastructure;
using BackupControlPlane.Contracts;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace BackupControlPlane.Api.Tests.Features.Agents;

/// <summary>
/// Each VM's agent has its own identity: a provisioning secret that can only register a certificate, and a credential
/// for that VM alone. Protected settings are CMS-encrypted to the registered certificate. Tested adversarially.
/// </summary>
public sealed class AgentSecurityTests
{
    private static HttpRequestMessage As(string? credential, HttpMethod method, string path, object? body = null)
    {
        var r = new HttpRequestMessage(method, path);
        if (credential is not null) r.Headers.Authorization = new AuthenticationHeaderValue("VmAgent", credential);
        if (body is not null) r.Content = JsonContent.Create(body);
        return r;
    }

    private static async Task<AgentGoalState> GoalStateAsync(HttpClient http, string credential)
    {
        using var response = await http.SendAsync(As(credential, HttpMethod.Get, AgentRoutes.GoalState + "?waitSeconds=0"));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<AgentGoalState>())!;
    }

    [Fact]
    public async Task Agents_are_confined_to_their_own_VM_and_only_they_can_read_their_protected_settings()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = "rg-sec-" + Guid.NewGuid().ToString("N")[..6];
        await app.Arm.ProtectedVmAsync(rg, "vault1", "vma");
        await app.Arm.PutVmAsync(rg, "vmb");
        (await app.Arm.EnableProtectionAsync(rg, "vault1", "vmb")).Dispose();
        await app.Arm.RunDueAsync(rg);
        using var a = await app.RegisterAgentAsync("vma");
        using var b = await app.RegisterAgentAsync("vmb");
        using var http = app.NewHttpClient();

        // No credential, garbage, a provisioning secret where a credential is due, a tampered credential: 401 ProblemDetails.
        var tampered = a.Credential![..^2] + (a.Credential[^1] == 'A' ? "BB" : "AA");
        var spliced = string.Join('.', a.Credential.Split('.')[..4]) + "." + b.Credential!.Split('.')[4];
        foreach (var bad in new[] { null, "nonsense", await app.ProvisioningSecretAsync("vma"), tampered, spliced })
        {
            using var r = await http.SendAsync(As(bad, HttpMethod.Get, AgentRoutes.GoalState + "?waitSeconds=0"));
            Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
            Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        }

        // A's goal state: A's task only, its protected settings a CMS envelope for A's certificate.
        var stateA = await GoalStateAsync(http, a.Credential);
        var stateB = await GoalStateAsync(http, b.Credential);
        var extA = stateA.Extensions.Single();
        Assert.Equal(a.Certificate.Thumbprint, extA.ProtectedSettingsCertThumbprint);
        Assert.DoesNotContain("sig=", extA.ProtectedSettings);
        var secretsA = a.Decrypt(extA.ProtectedSettings!);
        Assert.All(ObjectStr.Decode(secretsA.ObjectStr), u => Assert.Contains(stateA.VmId.Replace("-", ""), u));
        Assert.ThrowsAny<CryptographicException>(() => b.Decrypt(extA.ProtectedSettings!));
        var taskB = stateB.Extensions.Single().PublicSettings!.TaskId;
        Assert.NotEqual(extA.PublicSettings!.TaskId, taskB);

        // A reporting B's task: 403, and B's job is untouched.
        using var cross = await http.SendAsync(As(a.Credential, HttpMethod.Post, AgentRoutes.TaskStatus.Replace("{taskId}", taskB), new TaskStatusReport("error", 2, "hostile")));
        Assert.Equal(HttpStatusCode.Forbidden, cross.StatusCode);
        var jobs = (await app.Arm.GetAsync(ArmTestClient.VaultPath(rg, "vault1") + "/backupJobs?$filter=" + Uri.EscapeDataString("operation eq 'Backup'")))["value"]!.AsArray();
        Assert.All(jobs, j => Assert.Equal("InProgress", j!["properties"]!["status"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_new_registration_supersedes_the_old_credential_and_certificate()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = "rg-rereg-" + Guid.NewGuid().ToString("N")[..6];
        await app.Arm.ProtectedVmAsync(rg, "vault1", "vmre");
        await app.Arm.RunDueAsync(rg);
        using var first = await app.RegisterAgentAsync("vmre");
        var replayed = first.Credential!;
        using var http = app.NewHttpClient();
        var before = (await GoalStateAsync(http, replayed)).Extensions.Single();

        using var second = await app.RegisterAgentAsync("vmre"); // the agent restarted with a new certificate
        using (var old = await http.SendAsync(As(replayed, HttpMethod.Get, AgentRoutes.GoalState + "?waitSeconds=0")))
            Assert.Equal(HttpStatusCode.Unauthorized, old.StatusCode);
        var after = (await GoalStateAsync(http, second.Credential!)).Extensions.Single();
        Assert.Equal(second.Certificate.Thumbprint, after.ProtectedSettingsCertThumbprint);
        Assert.Equal(before.PublicSettings!.TaskId, after.PublicSettings!.TaskId);
        Assert.ThrowsAny<CryptographicException>(() => first.Decrypt(after.ProtectedSettings!));
        Assert.NotNull(second.Decrypt(after.ProtectedSettings!).StatusBlobUri);

        // Registration wants the public part only, and the VM's own provisioning secret.
        using var withKey = await http.SendAsync(As(await app.ProvisioningSecretAsync("vmre"), HttpMethod.Post, AgentRoutes.Register,
            new AgentRegistration(Convert.ToBase64String(second.Certificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx)))));
        Assert.Equal(HttpStatusCode.BadRequest, withKey.StatusCode);
        using var noSecret = await http.SendAsync(As(second.Credential, HttpMethod.Post, AgentRoutes.Register, new AgentRegistration(Convert.ToBase64String(second.Certificate.RawData))));
        Assert.Equal(HttpStatusCode.Unauthorized, noSecret.StatusCode);
    }

    [Fact]
    public async Task An_expired_credential_is_refused()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var app = await EmulatorApp.StartAsync(time, new() { ["Emulator:AgentCredentialLifetime"] = "00:10:00" });
        await app.Arm.PutVmAsync("rg-exp", "vmexp");
        using var identity = await app.RegisterAgentAsync("vmexp");
        using var http = app.NewHttpClient();
        await GoalStateAsync(http, identity.Credential!);
        time.Advance(TimeSpan.FromMinutes(11));
        using var expired = await http.SendAsync(As(identity.Credential, HttpMethod.Get, AgentRoutes.GoalState + "?waitSeconds=0"));
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.Contains("expired", await expired.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_waiting_agent_receives_a_new_task_without_waiting_for_its_poll_to_time_out()
    {
        // The transport clock stands still, so a held poll never times out by itself: an answer is the wake-up.
        var transport = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var app = await EmulatorApp.StartAsync(services: s => s.Replace(ServiceDescriptor.Singleton(new TransportClock(transport))));
        const string rg = "rg-wake";
        await app.Arm.ProtectedVmAsync(rg, "vault1", "vmwake");
        using var identity = await app.RegisterAgentAsync("vmwake");
        using var http = app.NewHttpClient();
        var incarnation = (await GoalStateAsync(http, identity.Credential!)).Incarnation;

        var poll = http.SendAsync(As(identity.Credential, HttpMethod.Get, $"{AgentRoutes.GoalState}?incarnation={incarnation}&waitSeconds=120"));
        await app.Arm.RunDueAsync(rg);
        using var answer = await poll.WaitAsync(TimeSpan.FromSeconds(60)); // a guard against hanging, not a measurement
        var state = (await answer.Content.ReadFromJsonAsync<AgentGoalState>())!;
        Assert.True(state.Incarnation > incarnation);
        Assert.NotNull(identity.Decrypt(state.Extensions.Single().ProtectedSettings!));
    }

    [Fact]
    public async Task The_credential_of_a_deleted_VM_is_forbidden()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = "rg-gone-" + Guid.NewGuid().ToString("N")[..6];
        var vm = "vmdel" + Guid.NewGuid().ToString("N")[..6]; // the shared app: a name no other test uses
        await app.Arm.PutVmAsync(rg, vm);
        using var identity = await app.RegisterAgentAsync(vm);
        using var http = app.NewHttpClient();
        await GoalStateAsync(http, identity.Credential!);

        using (var deleted = await app.Arm.SendAsync(HttpMethod.Delete, ArmTestClient.VmPath(rg, vm), version: "2024-11-01"))
            Assert.True(deleted.IsSuccessStatusCode);
        using var refused = await http.SendAsync(As(identity.Credential, HttpMethod.Get, AgentRoutes.GoalState + "?waitSeconds=0"));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Contains("no longer exists", await refused.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_fleet_route_and_run_due_refuse_non_local_callers()
    {
        var filter = BackupControlPlane.Api.Features.Agents.AgentEndpoints.LocalOnly;
        var http = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        http.Connection.RemoteIpAddress = IPAddress.Parse("10.1.2.3");
        var called = false;
        var result = await filter(new Microsoft.AspNetCore.Http.DefaultEndpointFilterInvocationContext(http), _ => { called = true; return ValueTask.FromResult<object?>(null); });
        Assert.False(called);
        Assert.Equal(403, ((Microsoft.AspNetCore.Http.IStatusCodeHttpResult)result!).StatusCode);
    }
}
