using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.Extensions.Options;

namespace BackupControlPlane.Api.Features.Agents;

/// <summary>
/// The two secrets of a VM's agent, both HMACs under one server secret (from configuration, or generated once into the
/// data folder, so every node of a deployment agrees):
/// <list type="bullet">
/// <item>the provisioning secret <c>{vmId}.{mac}</c>, the emulator's stand-in for "the VM booted"; it can only register a certificate;</item>
/// <item>the credential <c>{vmId}.{registration}.{expiresUnix}.{thumbprint}.{mac}</c>, bound to the registered certificate,
/// opening that VM's goal state and tasks until it expires or a newer registration replaces it.</item>
/// </list>
/// </summary>
public sealed class AgentCredentials
{
    private readonly byte[] _secret;

    public AgentCredentials(IOptions<EmulatorOptions> options, DataPaths paths)
    {
        var configured = options.Value.AgentKeySecret;
        if (!string.IsNullOrEmpty(configured))
        {
            _secret = Encoding.UTF8.GetBytes(configured);
            return;
        }
        _secret = Encoding.ASCII.GetBytes(paths.Secret("agent-key-secret", () => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))));
    }

    public string ProvisioningSecretFor(Guid vmId) => $"{vmId:N}.{Mac("provision:" + vmId.ToString("N"))}";

    public bool TryValidateProvisioningSecret(string? value, out Guid vmId)
    {
        vmId = Guid.Empty;
        var parts = value?.Split('.');
        if (parts is not { Length: 2 } || !Guid.TryParseExact(parts[0], "N", out var id)) return false;
        if (!FixedTimeEquals(Mac("provision:" + parts[0]), parts[1])) return false;
        vmId = id;
        return true;
    }

    public sealed record Credential(Guid VmId, int Registration, DateTimeOffset ExpiresOn, string Thumbprint);

    public string Issue(Credential c)
    {
        var body = $"{c.VmId:N}.{c.Registration}.{c.ExpiresOn.ToUnixTimeSeconds()}.{c.Thumbprint}";
        return $"{body}.{Mac("credential:" + body)}";
    }

    /// <summary>Checks the signature only; expiry and registration are checked against the clock and the database by the caller.</summary>
    public bool TryRead(string? value, out Credential credential)
    {
        credential = null!;
        var parts = value?.Split('.');
        if (parts is not { Length: 5 } || !Guid.TryParseExact(parts[0], "N", out var id)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var registration)
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var expires)) return false;
        if (!FixedTimeEquals(Mac("credential:" + string.Join('.', parts[..4])), parts[4])) return false;
        credential = new Credential(id, registration, DateTimeOffset.FromUnixTimeSeconds(expires), parts[3]);
        return true;
    }

    private string Mac(string text) => Convert.ToBase64String(HMACSHA256.HashData(_secret, Encoding.UTF8.GetBytes(text))).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static bool FixedTimeEquals(string expected, string given) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(given));
}
