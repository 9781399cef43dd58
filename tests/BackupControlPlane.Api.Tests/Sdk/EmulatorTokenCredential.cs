using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Azure.Core;

namespace BackupControlPlane.Api.Tests.Sdk;

/// <summary>A TokenCredential that gets tokens from the emulator's managed-identity endpoint, as IMDS would hand them out.</summary>
public sealed class EmulatorTokenCredential(HttpClient http) : TokenCredential
{
    public override AccessToken GetToken(TokenRequestContext context, CancellationToken ct) => GetTokenAsync(context, ct).AsTask().GetAwaiter().GetResult();

    public override async ValueTask<AccessToken> GetTokenAsync(TokenRequestContext context, CancellationToken ct)
    {
        var resource = context.Scopes.FirstOrDefault()?.Replace("/.default", "/") ?? "https://management.core.windows.net/";
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=" + Uri.EscapeDataString(resource));
        request.Headers.Add("Metadata", "true");
        using var response = await http.SendAsync(request, ct);
        response.EnsureSuccessStatusCode();
        var json = (await response.Content.ReadFromJsonAsync<JsonObject>(ct))!;
        return new AccessToken(json["access_token"]!.GetValue<string>(), DateTimeOffset.FromUnixTimeSeconds(long.Parse(json["expires_on"]!.GetValue<string>())));
    }
}
