using System.Security.Claims;
using System.Security.Cryptography;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace BackupControlPlane.Api.Features.Identity;

public sealed class IdentityOptions
{
    public const string Section = "Identity";
    /// <summary>Lets ARM routes answer without a bearer token. Off by default: Azure's clients always send one.</summary>
    public bool AllowAnonymousArm { get; set; }
    [System.ComponentModel.DataAnnotations.Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(1);
    /// <summary>
    /// PEM file of the token-signing key (created when missing); <c>tls/token-signing.pem</c> in the data folder when
    /// empty. Nodes sharing one database must share this key (a mounted secret), or one node's tokens fail on another.
    /// </summary>
    public string? SigningKeyPath { get; set; }
    /// <summary>
    /// The App Service managed-identity secret (<c>IDENTITY_HEADER</c>); generated into <c>identity-header</c> in the
    /// data folder when empty.
    /// </summary>
    public string? IdentityHeader { get; set; }
}

/// <summary>
/// Issues and validates the emulator's access tokens: RS256 JWTs shaped like Azure AD v1 tokens (tid, oid, appid),
/// signed with a key kept in the data folder so tokens survive restarts.
/// </summary>
public sealed class TokenService
{
    public const string DefaultResource = "https://management.core.windows.net/";
    /// <summary>The object id of the emulator's managed identity.</summary>
    public static readonly Guid ManagedIdentityObjectId = Guid.Parse("00000000-0000-0000-0000-0000000000b1");

    private readonly RsaSecurityKey _key;
    private readonly EmulatorOptions _emulator;
    private readonly IOptions<IdentityOptions> _options;
    private readonly TimeProvider _time;

    public TokenService(DataPaths paths, IOptions<EmulatorOptions> emulator, IOptions<IdentityOptions> options, TimeProvider time)
    {
        _emulator = emulator.Value;
        _options = options;
        _time = time;
        var file = options.Value.SigningKeyPath is { Length: > 0 } configured ? configured : Path.Combine(paths.Root, "tls", "token-signing.pem");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
        var rsa = RSA.Create(2048);
        if (!File.Exists(file))
        {
            var temp = $"{file}.{Guid.NewGuid():N}.tmp";
            File.WriteAllText(temp, rsa.ExportPkcs8PrivateKeyPem());
            // Nodes sharing a data folder may start together: the first key written wins and every node reads it.
            try { File.Move(temp, file, overwrite: false); }
            catch (IOException) when (File.Exists(file)) { File.Delete(temp); }
        }
        rsa.ImportFromPem(File.ReadAllText(file));
        _key = new RsaSecurityKey(rsa) { KeyId = Base64UrlEncoder.Encode(SHA256.HashData(rsa.ExportRSAPublicKey()))[..16] };
    }

    public string Issuer => $"https://sts.windows.net/{_emulator.TenantId}/";
    public string TenantId => _emulator.TenantId;
    public SecurityKey SigningKey => _key;

    /// <summary>A token and its lifetime on the emulated clock (<see cref="IssuedOn"/> to <see cref="ExpiresOn"/>).</summary>
    public sealed record Issued(string AccessToken, DateTimeOffset IssuedOn, DateTimeOffset ExpiresOn, string Resource)
    {
        /// <summary>Whole seconds the token lives, as <c>expires_in</c> states it.</summary>
        public long ExpiresInSeconds => (long)(ExpiresOn - IssuedOn).TotalSeconds;
    }

    public Issued Issue(string? resource, Guid objectId, string appId)
    {
        var now = _time.GetUtcNow();
        var expires = now + _options.Value.TokenLifetime;
        var audience = string.IsNullOrWhiteSpace(resource) ? DefaultResource : resource.Trim();
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.AddMinutes(-5).UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.RsaSha256),
            Claims = new Dictionary<string, object>
            {
                ["tid"] = _emulator.TenantId,
                ["oid"] = objectId.ToString(),
                ["sub"] = objectId.ToString(),
                ["appid"] = appId,
                ["idtyp"] = "app",
                ["ver"] = "1.0",
            },
        });
        return new Issued(token, now, expires, audience);
    }

    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(1);

    /// <summary>Whether a token's lifetime holds now, on the injected clock (so expiry is testable and follows the emulator's time).</summary>
    public bool IsCurrent(DateTime? notBefore, DateTime? expires)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        return (notBefore is null || notBefore <= now + ClockSkew) && expires is { } e && e > now - ClockSkew;
    }

    public TokenValidationParameters ValidationParameters() => new()
    {
        ValidIssuer = Issuer,
        ValidateAudience = false, // az asks for management.core.windows.net, the SDK for management.azure.com: both are fine
        IssuerSigningKey = _key,
        ValidateLifetime = true,
        ClockSkew = ClockSkew,
        LifetimeValidator = (notBefore, expires, _, _) => IsCurrent(notBefore, expires),
        NameClaimType = "oid",
    };

    /// <summary>A stable object id for a service principal's client id.</summary>
    public static Guid ObjectIdFor(string clientId) => new(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("sp:" + clientId))[..16]);
}
