using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace BackupControlPlane.Api.Infrastructure;

public sealed class TlsOptions
{
    public const string Section = "Tls";
    /// <summary>A PFX to serve instead of the emulator's own certificate.</summary>
    public string? CertificatePath { get; set; }
    public string? CertificatePassword { get; set; }
}

/// <summary>
/// The emulator's own certificate authority and a server certificate for 127.0.0.1 and localhost, created once in the
/// data folder. Clients trust <c>tls/ca.pem</c> (REQUESTS_CA_BUNDLE for az, SSL_CERT_FILE for .NET on Linux). Validity
/// is judged on the clock passed in, the transport's: clients check it against their own real time, whatever the
/// emulated clock says.
/// </summary>
public static class TlsCertificates
{
    public static string CaPath(DataPaths paths) => Path.Combine(paths.Root, "tls", "ca.pem");
    private static string ServerPath(DataPaths paths) => Path.Combine(paths.Root, "tls", "server.pfx");

    public static X509Certificate2 Load(DataPaths paths, TlsOptions options, TimeProvider time)
    {
        if (!string.IsNullOrEmpty(options.CertificatePath))
            return X509CertificateLoader.LoadPkcs12FromFile(options.CertificatePath, options.CertificatePassword);
        var server = ServerPath(paths);
        var now = time.GetUtcNow();
        if (!File.Exists(server) || !File.Exists(CaPath(paths))) Create(paths, now);
        var cert = X509CertificateLoader.LoadPkcs12FromFile(server, null);
        if (cert.NotAfter.ToUniversalTime() > now.UtcDateTime.AddDays(7)) return cert;
        cert.Dispose();
        Create(paths, now);
        return X509CertificateLoader.LoadPkcs12FromFile(server, null);
    }

    /// <summary>A new CA and server certificate (POST /emulator/reset?regenerateCa=true); served from the next handshake on.</summary>
    public static void Regenerate(DataPaths paths, TimeProvider time) => Create(paths, time.GetUtcNow());

    // Per certificate file: several apps in one process (tests) each serve their own data folder's certificate.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, (DateTime Written, X509Certificate2 Certificate)> Served = new();

    /// <summary>
    /// The certificate for a TLS handshake: loaded once, and again when the server certificate's file changed (a
    /// regenerated CA), so a reset can replace the CA without a restart.
    /// </summary>
    public static X509Certificate2 Current(DataPaths paths, TlsOptions options, TimeProvider time)
    {
        var file = string.IsNullOrEmpty(options.CertificatePath) ? ServerPath(paths) : options.CertificatePath;
        var written = File.Exists(file) ? File.GetLastWriteTimeUtc(file) : DateTime.MinValue;
        if (Served.TryGetValue(file, out var served) && served.Written == written) return served.Certificate;
        var certificate = Load(paths, options, time);
        Served[file] = (File.GetLastWriteTimeUtc(file), certificate);
        return certificate;
    }

    private static void Create(DataPaths paths, DateTimeOffset now)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(ServerPath(paths))!);
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=BackupControlPlane Local CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddYears(5));

        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddIpAddress(IPAddress.IPv6Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        using var leaf = request.Create(ca, now.AddDays(-1), now.AddYears(2), RandomNumberGenerator.GetBytes(16));
        using var withKey = leaf.CopyWithPrivateKey(key);

        // Written to temporary names and moved, so a concurrent start never reads half a file.
        var pfx = ServerPath(paths) + ".tmp";
        File.WriteAllBytes(pfx, withKey.Export(X509ContentType.Pkcs12));
        var pem = CaPath(paths) + ".tmp";
        File.WriteAllText(pem, ca.ExportCertificatePem() + "\n");
        File.Move(pfx, ServerPath(paths), overwrite: true);
        File.Move(pem, CaPath(paths), overwrite: true);
    }
}
