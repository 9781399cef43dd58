using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BackupControlPlane.Api.Features.Identity;
using BackupControlPlane.Api.Tests.Infrastructure;

namespace BackupControlPlane.Api.Tests.Features.Identity;

/// <summary>
/// Each managed-identity flavour with exactly the requests MSAL (under Azure.Identity for .NET and @azure/identity)
/// sends, and the refusal the real endpoint gives when its header is missing. Written by hand because
/// Azure.Identity's ManagedIdentityCredential reads the flavour from the process environment and MSAL caches it per
/// process: one test process cannot switch flavours. Sdk/JavaScriptSdkTests runs the real @azure/identity credential
/// for every flavour, one node process each.
/// </summary>
public sealed class ManagedIdentityFlavourTests
{
    private const string Resource = "https://management.azure.com/";

    private static HttpRequestMessage AppService(string? header, string apiVersion = ManagedIdentityEndpoints.AppServiceApiVersion, string extra = "")
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"{ManagedIdentityEndpoints.AppServicePath}?api-version={apiVersion}&resource={Uri.EscapeDataString(Resource)}{extra}");
        if (header is not null) request.Headers.Add("X-IDENTITY-HEADER", header);
        return request;
    }

    [Fact]
    public async Task App_Service_flavour_needs_its_secret_header_and_answers_in_App_Service_shape()
    {
        var app = await EmulatorApp.SharedAsync();
        using var http = app.NewHttpClient();
        var secret = app.Service<IdentityHeaderSecret>().Value;
        Assert.Equal(secret, File.ReadAllText(Path.Combine(app.DataDirectory, "identity-header")).Trim());

        using var missing = await http.SendAsync(AppService(null));
        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Contains("X-IDENTITY-HEADER", (await missing.Content.ReadFromJsonAsync<JsonObject>())!["message"]!.GetValue<string>());
        using var wrong = await http.SendAsync(AppService("guessed"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        using var oldVersion = await http.SendAsync(AppService(secret, "2017-09-01"));
        Assert.Equal(HttpStatusCode.BadRequest, oldVersion.StatusCode);
        using var userAssigned = await http.SendAsync(AppService(secret, extra: "&client_id=someone-else"));
        Assert.Equal(HttpStatusCode.BadRequest, userAssigned.StatusCode);

        using var ok = await http.SendAsync(AppService(secret));
        var token = (await ok.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(["access_token", "client_id", "expires_on", "resource", "token_type"], token.Select(p => p.Key).Order());
        Assert.Equal(Resource, token["resource"]!.GetValue<string>());
        Assert.InRange(long.Parse(token["expires_on"]!.GetValue<string>()) - DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 3000, 3601);
        using var arm = new HttpRequestMessage(HttpMethod.Get, "/subscriptions?api-version=2022-12-01");
        arm.Headers.Authorization = new("Bearer", token["access_token"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(arm)).StatusCode);
        Assert.DoesNotContain(CapturedLogs.All, line => line.Contains(secret));
    }

    [Fact]
    public async Task Cloud_Shell_and_IMDS_flavours_need_the_Metadata_header_and_know_one_system_assigned_identity()
    {
        var app = await EmulatorApp.SharedAsync();
        using var http = app.NewHttpClient();
        HttpRequestMessage CloudShell(bool metadata, string? clientId = null)
        {
            var form = new Dictionary<string, string> { ["resource"] = Resource };
            if (clientId is not null) form["client_id"] = clientId;
            var request = new HttpRequestMessage(HttpMethod.Post, ManagedIdentityEndpoints.ImdsPath) { Content = new FormUrlEncodedContent(form) };
            if (metadata) request.Headers.Add("Metadata", "true");
            return request;
        }
        using var noHeader = await http.SendAsync(CloudShell(metadata: false));
        Assert.Equal(HttpStatusCode.BadRequest, noHeader.StatusCode);
        Assert.Equal("invalid_request", (await noHeader.Content.ReadFromJsonAsync<JsonObject>())!["error"]!.GetValue<string>());
        using var other = await http.SendAsync(CloudShell(metadata: true, clientId: "someone-else"));
        Assert.Equal(HttpStatusCode.BadRequest, other.StatusCode);
        using var shell = await http.SendAsync(CloudShell(metadata: true));
        Assert.Equal(HttpStatusCode.OK, shell.StatusCode);
        // As IMDS, Cloud Shell answers every number as a string.
        Assert.Equal(System.Text.Json.JsonValueKind.String, (await shell.Content.ReadFromJsonAsync<JsonObject>())!["expires_on"]!.GetValueKind());

        using var imds = new HttpRequestMessage(HttpMethod.Get, $"{ManagedIdentityEndpoints.ImdsPath}?api-version=2019-08-01&resource={Uri.EscapeDataString(Resource)}&client_id=someone-else");
        imds.Headers.Add("Metadata", "true");
        using var unknown = await http.SendAsync(imds);
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("Identity not found", await unknown.Content.ReadAsStringAsync());
    }
}
