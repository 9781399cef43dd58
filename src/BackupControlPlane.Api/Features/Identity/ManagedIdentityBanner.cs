using BackupControlPlane.Api.Infrastructure;

namespace BackupControlPlane.Api.Features.Identity;

/// <summary>The startup banner's managed-identity lines: the environment each flavour's clients read, ready to export.</summary>
public sealed class ManagedIdentityBanner(IdentityHeaderSecret secret) : IBannerLines
{
    public IEnumerable<string> Lines(string http, string? https)
    {
        yield return $"Managed identity   IMDS:        AZURE_POD_IDENTITY_AUTHORITY_HOST={http}";
        yield return $"                   Cloud Shell: MSI_ENDPOINT={http}{ManagedIdentityEndpoints.ImdsPath}";
        yield return $"                   App Service: IDENTITY_ENDPOINT={http}{ManagedIdentityEndpoints.AppServicePath} IDENTITY_HEADER={secret.Value}";
    }
}
