using System.Security.Cryptography;
using System.Text;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.Extensions.Options;

namespace BackupControlPlane.Api.Features.Identity;

/// <summary>
/// The App Service flavour's shared secret (<c>IDENTITY_HEADER</c>, sent back as <c>X-IDENTITY-HEADER</c>): App Service
/// hands it to the app in its environment so a forged request from elsewhere cannot get a token. Configured as
/// <c>Identity:IdentityHeader</c>, else generated once into the data folder (<c>identity-header</c>), shared by nodes
/// that share the folder. The startup banner prints it; it is never logged.
/// </summary>
public sealed class IdentityHeaderSecret
{
    private readonly byte[] _value;

    public IdentityHeaderSecret(IOptions<IdentityOptions> options, DataPaths paths)
    {
        Value = options.Value.IdentityHeader is { Length: > 0 } configured
            ? configured
            : paths.Secret("identity-header", () => Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant());
        _value = Encoding.UTF8.GetBytes(Value);
    }

    /// <summary>What to put in <c>IDENTITY_HEADER</c>.</summary>
    public string Value { get; }

    public bool Matches(string? header) =>
        header is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header), _value);
}
