using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace BackupControlPlane.Contracts;

/// <summary>
/// Protected settings travel as CMS/PKCS#7 enveloped data with AES-256, encrypted to the VM's own certificate: the
/// same format the real VMSnapshot extension decrypts with <c>openssl cms -decrypt</c>.
/// </summary>
public static class ProtectedSettingsCms
{
    private static readonly Oid Aes256Cbc = new("2.16.840.1.101.3.4.1.42");

    public static string Encrypt(SnapshotProtectedSettings settings, X509Certificate2 recipient)
    {
        var cms = new EnvelopedCms(new ContentInfo(JsonSerializer.SerializeToUtf8Bytes(settings)), new AlgorithmIdentifier(Aes256Cbc));
        cms.Encrypt(new CmsRecipient(SubjectIdentifierType.IssuerAndSerialNumber, recipient, RSAEncryptionPadding.OaepSHA256));
        return Convert.ToBase64String(cms.Encode());
    }

    /// <summary>Decrypts with the agent's certificate and private key; throws CryptographicException for anyone else's.</summary>
    public static SnapshotProtectedSettings Decrypt(string protectedSettings, X509Certificate2 certificateWithKey)
    {
        var cms = new EnvelopedCms();
        cms.Decode(Convert.FromBase64String(protectedSettings));
        cms.Decrypt(new X509Certificate2Collection(certificateWithKey));
        return JsonSerializer.Deserialize<SnapshotProtectedSettings>(cms.ContentInfo.Content)
            ?? throw new CryptographicException("The protected settings are empty.");
    }

    /// <summary>
    /// A certificate for an agent: self-signed, generated on the VM, its private key never leaving it; valid for a year
    /// from <paramref name="now"/> on the VM's clock (and from a day before, for clock skew).
    /// </summary>
    public static X509Certificate2 NewAgentCertificate(string vmId, DateTimeOffset now)
    {
        using var key = RSA.Create(2048);
        return NewAgentCertificate(vmId, key, now);
    }

    /// <summary>A certificate for a key the agent already holds (kept in its state folder across restarts).</summary>
    public static X509Certificate2 NewAgentCertificate(string vmId, RSA key, DateTimeOffset now)
    {
        var request = new CertificateRequest($"CN=BackupControlPlane agent {vmId}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.DataEncipherment, true));
        return request.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));
    }
}
