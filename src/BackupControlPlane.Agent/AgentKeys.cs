using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using BackupControlPlane.Contracts;

namespace BackupControlPlane.Agent;

/// <summary>
/// Where a VM keeps its agent's key pair and certificate, as the Azure Linux agent keeps TransportPrivate.pem and
/// TransportCert.pem in /var/lib/waagent: made once (RSA-2048, tens to hundreds of milliseconds of CPU), then reused by
/// every start of the agent, so a restarted agent still decrypts what was encrypted to it and a fleet of thousands of
/// simulated VMs does not spend its start making keys. In memory when no folder is given (one agent lifetime, or a
/// fleet member across its simulated crashes).
/// </summary>
public sealed class AgentKeys(string? directory = null)
{
    public const string KeyFile = "agent-key.pem";
    public const string CertificateFile = "agent-cert.pem";

    private readonly Lock _lock = new();
    private X509Certificate2? _memory;

    /// <summary>The folder holding <see cref="KeyFile"/> and <see cref="CertificateFile"/>; null when kept in memory.</summary>
    public string? Directory { get; } = directory is null ? null : Path.GetFullPath(directory);

    /// <summary>
    /// The certificate with its private key: the stored one while it is valid on the VM's clock; otherwise a new
    /// certificate for the stored key (a key placed in the folder beforehand is used as is); a new key when there is none.
    /// </summary>
    public X509Certificate2 Load(string vmId, DateTimeOffset now)
    {
        lock (_lock)
        {
            if (Directory is null) return _memory is { } m && Valid(m, now) ? m : _memory = ProtectedSettingsCms.NewAgentCertificate(vmId, now);
            var keyPath = Path.Combine(Directory, KeyFile);
            var certPath = Path.Combine(Directory, CertificateFile);
            if (File.Exists(keyPath) && File.Exists(certPath))
            {
                try
                {
                    var stored = X509Certificate2.CreateFromPemFile(certPath, keyPath);
                    if (Valid(stored, now)) return stored;
                    stored.Dispose();
                }
                catch (CryptographicException)
                {
                    // The certificate is not the key's (the key was replaced): a new certificate for the key below.
                }
            }
            using var key = RSA.Create(2048);
            if (File.Exists(keyPath)) key.ImportFromPem(File.ReadAllText(keyPath));
            else WritePrivate(keyPath, key.ExportPkcs8PrivateKeyPem());
            var certificate = ProtectedSettingsCms.NewAgentCertificate(vmId, key, now);
            WritePrivate(certPath, certificate.ExportCertificatePem());
            return certificate;
        }
    }

    /// <summary>
    /// Makes a key in each of <paramref name="directories"/> ahead of its agent, with <c>nice -n 19 openssl genpkey</c>
    /// (RSA-2048, as the agent's own), <paramref name="parallel"/> at a time: only CPU others leave idle. Each key is
    /// written beside its place and renamed, so a reader never sees half a key. The caller waits for or kills the
    /// returned process; null when nice, xargs or sh cannot start (the agents then make their own keys).
    /// </summary>
    public static System.Diagnostics.Process? StartMakingAhead(IReadOnlyCollection<string> directories, int parallel)
    {
        var script = "d=\"$1\"; mkdir -p \"$d\" && openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out \"$d/key.tmp\" 2>/dev/null" +
            $" && chmod 600 \"$d/key.tmp\" && mv \"$d/key.tmp\" \"$d/{KeyFile}\"";
        var start = new System.Diagnostics.ProcessStartInfo("nice", ["-n", "19", "xargs", "-P", parallel.ToString(System.Globalization.CultureInfo.InvariantCulture), "-n", "1", "sh", "-c", script, "key"])
            { UseShellExecute = false, RedirectStandardInput = true };
        System.Diagnostics.Process maker;
        try { maker = System.Diagnostics.Process.Start(start)!; }
        catch (System.ComponentModel.Win32Exception) { return null; }
        // The folders on standard input: thousands of paths exceed what one argument list may hold.
        foreach (var d in directories) maker.StandardInput.WriteLine(d);
        maker.StandardInput.Close();
        return maker;
    }

    private static bool Valid(X509Certificate2 c, DateTimeOffset now) => c.NotBefore <= now.UtcDateTime && c.NotAfter > now.UtcDateTime.AddDays(1);

    private static void WritePrivate(string path, string pem)
    {
        // Readable by the agent's user only (as waagent's files), written then renamed so a crash never leaves half a key.
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var file = new StreamWriter(temp, System.Text.Encoding.ASCII, options)) file.Write(pem);
        File.Move(temp, path, overwrite: true);
    }
}
