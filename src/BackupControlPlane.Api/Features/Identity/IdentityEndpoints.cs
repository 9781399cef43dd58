using System.Text.Json.Serialization;
using BackupControlPlane.Api.Arm;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace BackupControlPlane.Api.Features.Identity;

/// <summary>
/// Where clients get tokens: a managed-identity endpoint shaped like Azure's instance metadata service (and the form
/// POST az sends to MSI_ENDPOINT), and an ADFS-style OpenID authority for service-principal logins (MSAL skips Azure
/// AD instance discovery for authorities ending in /adfs, so no call leaves the machine).
/// </summary>
public static class IdentityEndpoints
{
    public sealed record TokenResponse(
        [property: JsonPropertyName("access_token")] string AccessToken,
        [property: JsonPropertyName("token_type")] string TokenType,
        [property: JsonPropertyName("expires_in")] object ExpiresIn,
        [property: JsonPropertyName("expires_on")] object ExpiresOn,
        [property: JsonPropertyName("ext_expires_in")] object ExtExpiresIn,
        [property: JsonPropertyName("not_before")] object NotBefore,
        [property: JsonPropertyName("resource")] string Resource,
        [property: JsonPropertyName("client_id")] string? ClientId = null);

    public static void MapIdentity(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").WithTags("Identity (tokens)");
        group.MapGet("/metadata/identity/oauth2/token", ManagedIdentityGet)
            .WithSummary("Managed-identity token, as Azure's instance metadata service: header 'Metadata: true', ?resource=.");
        group.MapPost("/metadata/identity/oauth2/token", ManagedIdentityPost).DisableAntiforgery()
            .WithSummary("Managed-identity token for the form POST az sends to MSI_ENDPOINT.");
        group.MapGet("/adfs/.well-known/openid-configuration", OpenIdConfiguration);
        group.MapGet("/adfs/discovery/keys", Keys);
        group.MapPost("/adfs/oauth2/token", ClientCredentials).DisableAntiforgery()
            .WithSummary("Service-principal token (client_credentials). Any client id and secret are accepted: this is an emulator.");
    }

    private static IResult ManagedIdentityGet(HttpContext http, TokenService tokens, string? resource = null)
    {
        if (!http.Request.Headers.TryGetValue("Metadata", out var metadata) || !string.Equals(metadata, "true", StringComparison.OrdinalIgnoreCase))
            return Problem(400, "invalid_request", "Required metadata header not specified: send 'Metadata: true'.");
        return ManagedIdentityToken(tokens, resource);
    }

    private static async Task<IResult> ManagedIdentityPost(HttpContext http, TokenService tokens)
    {
        string? resource = http.Request.Query["resource"];
        if (http.Request.HasFormContentType)
        {
            if (await ReadFormAsync(http) is not { } form) return Problem(400, "invalid_request", "The form body could not be read.");
            resource ??= form["resource"];
        }
        return ManagedIdentityToken(tokens, resource);
    }

    private static IResult ManagedIdentityToken(TokenService tokens, string? resource)
    {
        var t = tokens.Issue(resource, TokenService.ManagedIdentityObjectId, "backupcontrolplane-msi");
        var life = t.ExpiresInSeconds;
        // IMDS answers numbers as strings.
        return TypedResults.Json(new TokenResponse(t.AccessToken, "Bearer", life.ToString(), t.ExpiresOn.ToUnixTimeSeconds().ToString(), life.ToString(),
            (t.ExpiresOn.ToUnixTimeSeconds() - life).ToString(), t.Resource, "backupcontrolplane-msi"));
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
    private static async Task<IFormCollection?> ReadFormAsync(HttpContext http)
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

    private static IResult Problem(int status, string error, string description) =>
        TypedResults.Json(new Dictionary<string, string> { ["error"] = error, ["error_description"] = description }, statusCode: status);
}
