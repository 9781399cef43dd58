using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using BackupControlPlane.Contracts;

namespace BackupControlPlane.Agent;

/// <summary>
/// A VM agent's identity: a certificate it generates itself (the private key never leaves this process), registered
/// with the VM's provisioning secret in exchange for a credential scoped to that one VM. Protected settings arrive
/// encrypted to this certificate.
/// </summary>
/// <param name="time">The VM's clock: the certificate's validity and the credential's renewal; the system clock when null.</param>
/// <param name="keys">Where the VM keeps its key and certificate (<see cref="AgentKeys"/>); this identity's memory when null.</param>
public sealed class AgentIdentity(HttpClient http, string provisioningSecret, TimeProvider? time = null, AgentKeys? keys = null) : IDisposable
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lazy<X509Certificate2> _certificate = new(() => (keys ?? new AgentKeys()).Load(provisioningSecret.Split('.')[0], (time ?? TimeProvider.System).GetUtcNow()));
    private AgentCredential? _credential;

    public X509Certificate2 Certificate => _certificate.Value;

    public string? Credential => _credential?.Credential;

    public async Task<string> CredentialAsync(CancellationToken ct)
    {
        // Registering again a little before expiry keeps long-polls from failing on an expired credential.
        if (_credential is null || _credential.ExpiresOn <= _time.GetUtcNow().AddMinutes(1)) await RegisterAsync(ct);
        return _credential!.Credential;
    }

    public async Task RegisterAsync(CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, AgentRoutes.Register)
        {
            Content = JsonContent.Create(new AgentRegistration(Convert.ToBase64String(Certificate.RawData))),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue(AgentRoutes.Scheme, provisioningSecret);
        using var response = await http.SendAsync(request, ct);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            throw new AgentRegistrationRefusedException($"Registration refused ({(int)response.StatusCode}): {await response.Content.ReadAsStringAsync(ct)}");
        response.EnsureSuccessStatusCode();
        _credential = await response.Content.ReadFromJsonAsync<AgentCredential>(ct) ?? throw new HttpRequestException("Empty registration answer.");
    }

    /// <summary>Forget the credential (the server refused it), so the next request registers again.</summary>
    public void Invalidate() => _credential = null;

    public SnapshotProtectedSettings Decrypt(string protectedSettings) => ProtectedSettingsCms.Decrypt(protectedSettings, Certificate);

    public void Dispose()
    {
        // A certificate from shared keys (a fleet member's, kept across its restarts) is theirs to keep.
        if (_certificate.IsValueCreated && keys is null) _certificate.Value.Dispose();
    }
}
