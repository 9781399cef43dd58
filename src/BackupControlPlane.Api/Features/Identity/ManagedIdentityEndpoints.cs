using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BackupControlPlane.Api.Features.Identity;

/// <summary>
/// The managed-identity flavours Azure's SDKs (MSAL underneath) and the az CLI pick from their environment, each with
/// the header its real endpoint requires and the refusal it gives without it:
/// <list type="bullet">
/// <item>IMDS (a VM): <c>GET /metadata/identity/oauth2/token?resource=</c> with <c>Metadata: true</c>; SDKs find it
/// through <c>AZURE_POD_IDENTITY_AUTHORITY_HOST</c> (the base address).</item>
/// <item>Cloud Shell (<c>MSI_ENDPOINT</c>): a form POST to the same path with <c>Metadata: true</c>.</item>
/// <item>App Service (<c>IDENTITY_ENDPOINT</c> + <c>IDENTITY_HEADER</c>): <c>GET /msi/token?api-version=2019-08-01&amp;resource=</c>
/// with <c>X-IDENTITY-HEADER</c>, answered in App Service's shape.</item>
/// </list>
/// The emulator has one system-assigned identity: asking for a user-assigned one is refused as the real endpoint
/// refuses an identity it does not know.
/// </summary>
public static class ManagedIdentityEndpoints
{
    public const string ImdsPath = "/metadata/identity/oauth2/token";
    public const string AppServicePath = "/msi/token";
    public const string AppServiceApiVersion = "2019-08-01";
    public const string ClientId = "backupcontrolplane-msi";

    /// <summary>IMDS answers every number as a string.</summary>
    public sealed record ImdsToken(
        [property: JsonPropertyName("access_token")] string AccessToken,
        [property: JsonPropertyName("token_type")] string TokenType,
        [property: JsonPropertyName("expires_in")] string ExpiresIn,
        [property: JsonPropertyName("expires_on")] string ExpiresOn,
        [property: JsonPropertyName("ext_expires_in")] string ExtExpiresIn,
        [property: JsonPropertyName("not_before")] string NotBefore,
        [property: JsonPropertyName("resource")] string Resource,
        [property: JsonPropertyName("client_id")] string ClientId);

    /// <summary>App Service's 2019-08-01 answer: <c>expires_on</c> in unix seconds, as a string.</summary>
    public sealed record AppServiceToken(
        [property: JsonPropertyName("access_token")] string AccessToken,
        [property: JsonPropertyName("expires_on")] string ExpiresOn,
        [property: JsonPropertyName("resource")] string Resource,
        [property: JsonPropertyName("token_type")] string TokenType,
        [property: JsonPropertyName("client_id")] string ClientId);

    /// <summary>App Service's error shape.</summary>
    public sealed record AppServiceError(
        [property: JsonPropertyName("statusCode")] int StatusCode,
        [property: JsonPropertyName("message")] string Message,
        [property: JsonPropertyName("correlationId")] string CorrelationId);

    private static readonly string[] ImdsUserAssigned = ["client_id", "object_id", "msi_res_id", "mi_res_id"];
    private static readonly string[] AppServiceUserAssigned = ["client_id", "principal_id", "object_id", "mi_res_id"];

    public static void MapManagedIdentity(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").WithTags("Identity (tokens)");
        group.MapGet(ImdsPath, Imds)
            .WithSummary("Managed-identity token, as Azure's instance metadata service: header 'Metadata: true', ?resource= (AZURE_POD_IDENTITY_AUTHORITY_HOST).");
        group.MapPost(ImdsPath, CloudShell).DisableAntiforgery()
            .WithSummary("Managed-identity token, as Cloud Shell's MSI_ENDPOINT: a form POST with 'Metadata: true' (az login --identity).");
        group.MapGet(AppServicePath, AppService)
            .WithSummary("Managed-identity token, as App Service's IDENTITY_ENDPOINT: ?api-version=2019-08-01&resource=, header X-IDENTITY-HEADER (IDENTITY_HEADER, printed at start-up).");
    }

    private static Results<JsonHttpResult<ImdsToken>, JsonHttpResult<Dictionary<string, string>>> Imds(HttpContext http, TokenService tokens, string? resource = null)
    {
        if (MetadataHeaderMissing(http)) return IdentityEndpoints.Problem(400, "invalid_request", "Required metadata header not specified");
        if (UserAssigned(http, ImdsUserAssigned) is { } asked) return IdentityEndpoints.Problem(400, "invalid_request", $"Identity not found ('{asked}': the emulator has one system-assigned identity).");
        return ImdsShaped(tokens, resource);
    }

    private static async Task<Results<JsonHttpResult<ImdsToken>, JsonHttpResult<Dictionary<string, string>>>> CloudShell(HttpContext http, TokenService tokens)
    {
        if (MetadataHeaderMissing(http)) return IdentityEndpoints.Problem(400, "invalid_request", "Required metadata header not specified");
        string? resource = http.Request.Query["resource"];
        if (http.Request.HasFormContentType)
        {
            if (await IdentityEndpoints.ReadFormAsync(http) is not { } form) return IdentityEndpoints.Problem(400, "invalid_request", "The form body could not be read.");
            resource ??= form["resource"];
            if (ImdsUserAssigned.FirstOrDefault(p => form.ContainsKey(p)) is { } field)
                return IdentityEndpoints.Problem(400, "invalid_request", $"Identity not found ('{field}': the emulator has one system-assigned identity).");
        }
        if (UserAssigned(http, ImdsUserAssigned) is { } asked) return IdentityEndpoints.Problem(400, "invalid_request", $"Identity not found ('{asked}': the emulator has one system-assigned identity).");
        return ImdsShaped(tokens, resource);
    }

    private static Results<JsonHttpResult<AppServiceToken>, JsonHttpResult<AppServiceError>> AppService(HttpContext http, TokenService tokens, IdentityHeaderSecret secret, [Microsoft.AspNetCore.Mvc.FromQuery(Name = "api-version")] string? apiVersion, string? resource)
    {
        var header = http.Request.Headers["X-IDENTITY-HEADER"];
        if (header.Count == 0) return AppServiceProblem(401, "Unauthorized: the X-IDENTITY-HEADER header is missing; send the value of IDENTITY_HEADER (printed at start-up).");
        if (!secret.Matches(header[0])) return AppServiceProblem(401, "Unauthorized: the X-IDENTITY-HEADER header does not match IDENTITY_HEADER.");
        if (apiVersion != AppServiceApiVersion) return AppServiceProblem(400, $"The api-version '{apiVersion}' is not supported; use {AppServiceApiVersion}.");
        if (string.IsNullOrWhiteSpace(resource)) return AppServiceProblem(400, "The 'resource' query parameter is required.");
        if (UserAssigned(http, AppServiceUserAssigned) is not null) return AppServiceProblem(400, "Unable to load requested managed identity: the emulator has one system-assigned identity.");
        var t = tokens.Issue(resource, TokenService.ManagedIdentityObjectId, ClientId);
        return TypedResults.Json(new AppServiceToken(t.AccessToken, t.ExpiresOn.ToUnixTimeSeconds().ToString(), t.Resource, "Bearer", ClientId));
    }

    private static JsonHttpResult<ImdsToken> ImdsShaped(TokenService tokens, string? resource)
    {
        var t = tokens.Issue(resource, TokenService.ManagedIdentityObjectId, ClientId);
        var life = t.ExpiresInSeconds.ToString();
        var expiresOn = t.ExpiresOn.ToUnixTimeSeconds();
        return TypedResults.Json(new ImdsToken(t.AccessToken, "Bearer", life, expiresOn.ToString(), life, (expiresOn - t.ExpiresInSeconds).ToString(), t.Resource, ClientId));
    }

    private static bool MetadataHeaderMissing(HttpContext http) =>
        !http.Request.Headers.TryGetValue("Metadata", out var metadata) || !string.Equals(metadata, "true", StringComparison.OrdinalIgnoreCase);

    private static string? UserAssigned(HttpContext http, string[] parameters) => parameters.FirstOrDefault(p => http.Request.Query.ContainsKey(p));

    private static JsonHttpResult<AppServiceError> AppServiceProblem(int status, string message) =>
        TypedResults.Json(new AppServiceError(status, message, Guid.NewGuid().ToString()), statusCode: status);
}
