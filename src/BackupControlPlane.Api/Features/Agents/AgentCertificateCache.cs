using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;

namespace BackupControlPlane.Api.Features.Agents;

/// <summary>
/// Each VM's registered agent certificate, parsed once rather than at every task's delivery. Keyed by VM and checked
/// against the stored certificate on every use, so a new registration is picked up at once. Public certificates only
/// (no private key is ever here); bounded: past <see cref="Capacity"/> VMs it starts again empty.
/// </summary>
public sealed class AgentCertificateCache
{
    private const int Capacity = 20_000;
    private readonly ConcurrentDictionary<long, (string Base64, X509Certificate2 Certificate)> _byVm = new();

    public X509Certificate2 Of(long vmId, string base64)
    {
        if (_byVm.TryGetValue(vmId, out var kept) && kept.Base64 == base64) return kept.Certificate;
        // Not disposed when replaced: a delivery may still be using it; its native handle goes with the finalizer.
        var certificate = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(base64));
        if (_byVm.Count >= Capacity) _byVm.Clear();
        _byVm[vmId] = (base64, certificate);
        return certificate;
    }
}
