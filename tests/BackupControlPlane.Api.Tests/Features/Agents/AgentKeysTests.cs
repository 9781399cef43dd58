using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using BackupControlPlane.Agent;
using Microsoft.Extensions.Time.Testing;

namespace BackupControlPlane.Api.Tests.Features.Agents;

/// <summary>
/// A VM keeps its agent's key and certificate in its state folder (as waagent keeps TransportPrivate.pem): every start
/// of the agent uses the same key, a key placed there beforehand is used as is, and nobody else can read the file.
/// </summary>
public sealed class AgentKeysTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bcp-keys-").FullName;

    [Fact]
    public void Every_start_uses_the_key_kept_in_the_folder_and_only_its_owner_can_read_it()
    {
        var now = new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);
        using var first = new AgentKeys(_dir).Load("vm-1", now);
        using var again = new AgentKeys(_dir).Load("vm-1", now.AddDays(30)); // the agent restarted a month later
        Assert.Equal(first.Thumbprint, again.Thumbprint);
        Assert.True(again.HasPrivateKey);
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_dir, AgentKeys.KeyFile)));

        // A year on, the certificate has expired: a new one, for the same key.
        using var renewed = new AgentKeys(_dir).Load("vm-1", now.AddYears(1));
        Assert.NotEqual(first.Thumbprint, renewed.Thumbprint);
        Assert.Equal(first.GetRSAPublicKey()!.ExportRSAPublicKeyPem(), renewed.GetRSAPublicKey()!.ExportRSAPublicKeyPem());
    }

    [Fact]
    public void A_key_placed_in_the_folder_beforehand_is_the_agents_key()
    {
        using var placed = RSA.Create(2048);
        File.WriteAllText(Path.Combine(_dir, AgentKeys.KeyFile), placed.ExportPkcs8PrivateKeyPem());
        using var certificate = new AgentKeys(_dir).Load("vm-2", new FakeTimeProvider().GetUtcNow());
        Assert.Equal(placed.ExportRSAPublicKeyPem(), certificate.GetRSAPublicKey()!.ExportRSAPublicKeyPem());
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
