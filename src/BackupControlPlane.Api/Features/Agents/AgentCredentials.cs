using System.Security.Cryptography;
using System.Text;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.Extensions.Options;

namespace BackupControlPlane.Api.Features.Agents;

/// <summary>
/// Per-VM agent credentials: <c>{vmId}.{HMAC(secret, vmId)}</c>. A credential opens exactly one VM's goal state and
/// tasks. The secret comes from configuration or is generated once into the data folder.
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
        var file = Path.Combine(paths.Root, "agent-key-secret");
        if (!File.Exists(file))
        {
            try
            {
                using var stream = new FileStream(file, FileMode.CreateNew, FileAccess.Write);
                stream.Write(Encoding.ASCII.GetBytes(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))));
            }
            catch (IOException) when (File.Exists(file))
            {
                // Another node created it first; use theirs.
            }
        }
        _secret = Encoding.ASCII.GetBytes(File.ReadAllText(file).Trim());
    }

    public string KeyFor(Guid vmId) => $"{vmId:N}.{Mac(vmId)}";

    public bool TryValidate(string? key, out Guid vmId)
    {
        vmId = Guid.Empty;
        if (key is null) return false;
        var dot = key.IndexOf('.');
        if (dot <= 0 || !Guid.TryParseExact(key[..dot], "N", out var id)) return false;
        var expected = Encoding.ASCII.GetBytes(Mac(id));
        var given = Encoding.ASCII.GetBytes(key[(dot + 1)..]);
        if (!CryptographicOperations.FixedTimeEquals(expected, given)) return false;
        vmId = id;
        return true;
    }

    private string Mac(Guid vmId) => Base64Url(HMACSHA256.HashData(_secret, vmId.ToByteArray()));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
