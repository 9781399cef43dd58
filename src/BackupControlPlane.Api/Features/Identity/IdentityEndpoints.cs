using System.Text.Json.Serialization;
using BackupControlPlane.Api.Arm;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace BackupControlPlane.Api.Features.Identity;

/// <summary>
/// Where clients get tokens: the managed-identity endpoints (<see cref="ManagedIdentityEndpoints"/>), and an ADFS-style
/// OpenID authority for service-principal logins (MSAL skips Azure AD instance discovery for authorities ending in
/// /adfs, so no call leaves the machine).
/// </summary>
public static class IdentityEndpoints
{
    public sealed record TokenResponse(
        [property: JsonPropertyName("access_token")] string AccessToken,
        [property: JsonPropertyName("token_type")] string TokenType,
        [property: JsonPropertyName("expires_in")] long ExpiresIn,
        [property: JsonPropertyName("expires_on")] long ExpiresOn,
        [property: JsonPropertyName("ext_expires_in")] long ExtExpiresIn,
        [property: JsonPropertyName("not_before")] long NotBefore,
        [property: JsonPropertyName("resource")] string Resource);

    public static void MapIdentity(this IEndpointRouteBuilder app)
    {
        app.MapManagedIdentity();
        var group = app.MapGroup("").WithTags("Identity (tokens)");
        group.MapGet("/adfs/.well-known/openid-configuration", OpenIdConfiguration);
        group.MapGet("/adfs/discovery/keys", Keys);
        group.MapPost("/adfs/oauth2/token", ClientCredentials).DisableAntiforgery()
            .WithSummary("Service-principal token (client_credentials). Any client id and secret are accepted: this is an emulator.");
    }

    private static async Task<IResult> ClientCredentials(HttpContext http, TokenService tokens)
    {
        if (!http.Request.HasFormContentType) return Problem(400, "invalid_request", "Send the token request as application/x-www-form-urlencoded.");
        if (await ReadFormAsync(http) is not { } form) return Problem(400, "invalid_request", "The form body could not be read.");
        var grant = (string?)form["grant_type"];
        var clientId = (string?)form["client_id"];
        if (grant != "client_credentials") return Problem(400, "unsupported_grant_type", "Only grant_type=client_credentials is supported.");
        if (string.IsNullOrWhiteSpace(clientId)) return Problem(400, "invalid_request", "client_id is required.");
        // MSAL sends scope=<resource>/.default; ADAL-style clients send resource=.
        var resource = (string?)form["resource"] ?? ((string?)form["scope"])?.Split(' ').FirstOrDefault()?.Replace("/.default", "/");
        var t = tokens.Issue(resource, TokenService.ObjectIdFor(clientId), clientId);
        var life = t.ExpiresInSeconds;
        return TypedResults.Json(new TokenResponse(t.AccessToken, "Bearer", life, t.ExpiresOn.ToUnixTimeSeconds(), life,
            t.ExpiresOn.ToUnixTimeSeconds() - life, t.Resource));
    }

    /// <summary>A form body, or null when it is malformed (a truncated multipart body, too many fields).</summary>
    internal static async Task<IFormCollection?> ReadFormAsync(HttpContext http)
    {
        try
        {
            return await http.Request.ReadFormAsync(http.RequestAborted);
        }
        catch (Exception e) when (e is IOException or InvalidDataException && !http.RequestAborted.IsCancellationRequested)
        {
            return null;
        }
    }

    private static IResult OpenIdConfiguration(HttpContext http, TokenService tokens)
    {
        var authority = $"{http.Request.Scheme}://{http.Request.Host}/adfs";
        return TypedResults.Json(new Dictionary<string, object>
        {
            ["issuer"] = tokens.Issuer,
            ["token_endpoint"] = authority + "/oauth2/token",
            ["authorization_endpoint"] = authority + "/oauth2/authorize",
            ["jwks_uri"] = authority + "/discovery/keys",
            ["token_endpoint_auth_methods_supported"] = new[] { "client_secret_post", "client_secret_basic" },
            ["grant_types_supported"] = new[] { "client_credentials" },
            ["response_types_supported"] = new[] { "token" },
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
            ["tenant_region_scope"] = "WW",
        });
    }

    private static IResult Keys(TokenService tokens)
    {
        var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey((RsaSecurityKey)tokens.SigningKey);
        return TypedResults.Json(new { keys = new[] { new { kty = jwk.Kty, use = "sig", kid = jwk.Kid, n = jwk.N, e = jwk.E, alg = "RS256" } } });
    }

    internal static JsonHttpResult<Dictionary<string, string>> Problem(int status, string error, string description) =>
        TypedResults.Json(new Dictionary<string, string> { ["error"] = error, ["error_description"] = description }, statusCode: status);
}
