using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using BackupControlPlane.Api.Tests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Microsoft.Extensions.Time.Testing;

namespace BackupControlPlane.Api.Tests.Features.Identity;

public sealed class IdentityTests
{
    private static readonly string Subscriptions = "/subscriptions?api-version=2019-11-01";

    private static async Task<(HttpStatusCode, JsonNode?)> CallArm(EmulatorApp app, string? bearer)
    {
        using var http = app.NewHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, Subscriptions);
        if (bearer is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length > 0 ? JsonNode.Parse(text) : null);
    }

    [Fact]
    public async Task ARM_routes_refuse_missing_forged_and_garbage_tokens_with_the_ARM_envelope()
    {
        var app = await EmulatorApp.SharedAsync();
        var (status, body) = await CallArm(app, null);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("AuthenticationFailed", body!["error"]!["code"]!.GetValue<string>());

        (status, body) = await CallArm(app, "not-a-jwt");
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("InvalidAuthenticationToken", body!["error"]!["code"]!.GetValue<string>());

        // Same claims and issuer, signed by someone else's key.
        var forged = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "https://sts.windows.net/00000000-0000-0000-0000-0000000000aa/",
            Audience = "https://management.core.windows.net/",
            Expires = DateTime.UtcNow.AddHours(1),
            Claims = new Dictionary<string, object> { ["tid"] = "00000000-0000-0000-0000-0000000000aa", ["oid"] = Guid.NewGuid().ToString() },
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(RSA.Create(2048)), SecurityAlgorithms.RsaSha256),
        });
        (status, _) = await CallArm(app, forged);
        Assert.Equal(HttpStatusCode.Unauthorized, status);

        (status, body) = await CallArm(app, await app.ManagedIdentityTokenAsync());
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.NotNull(body!["value"]![0]!["tenantId"]);
    }

    [Fact]
    public async Task Managed_identity_tokens_need_the_Metadata_header_carry_tid_oid_exp_and_also_come_by_form_POST()
    {
        var app = await EmulatorApp.SharedAsync();
        using var http = app.NewHttpClient();
        using (var noHeader = await http.GetAsync("/metadata/identity/oauth2/token?resource=https://management.azure.com/"))
            Assert.Equal(HttpStatusCode.BadRequest, noHeader.StatusCode);

        var token = new JsonWebToken(await app.ManagedIdentityTokenAsync("https://management.azure.com/"));
        Assert.Equal("00000000-0000-0000-0000-0000000000aa", token.GetClaim("tid").Value);
        Assert.False(string.IsNullOrEmpty(token.GetClaim("oid").Value));
        Assert.True(token.ValidTo > DateTime.UtcNow.AddMinutes(30));
        Assert.Contains("https://management.azure.com/", token.Audiences);

        // az login --identity with MSI_ENDPOINT: a form POST, expecting expires_on in unix seconds.
        using var postRequest = new HttpRequestMessage(HttpMethod.Post, "/metadata/identity/oauth2/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["resource"] = "https://management.core.windows.net/" }),
        };
        postRequest.Headers.Add("Metadata", "true");
        using var post = await http.SendAsync(postRequest);
        var json = (await post.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("Bearer", json["token_type"]!.GetValue<string>());
        Assert.True(long.Parse(json["expires_on"]!.GetValue<string>()) > DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        var (status, _) = await CallArm(app, json["access_token"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task A_service_principal_gets_a_token_from_the_adfs_authority()
    {
        var app = await EmulatorApp.SharedAsync();
        using var http = app.NewHttpClient();
        var config = (await http.GetFromJsonAsync<JsonObject>("/adfs/.well-known/openid-configuration"))!;
        var tokenEndpoint = new Uri(config["token_endpoint"]!.GetValue<string>());
        Assert.EndsWith("/adfs/oauth2/token", tokenEndpoint.AbsolutePath);
        var keys = (await http.GetFromJsonAsync<JsonObject>(new Uri(config["jwks_uri"]!.GetValue<string>()).AbsolutePath))!;
        Assert.Equal("RSA", keys["keys"]![0]!["kty"]!.GetValue<string>());

        using var response = await http.PostAsync(tokenEndpoint.AbsolutePath, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = "my-app", ["client_secret"] = "s3cret",
            ["scope"] = "https://management.core.windows.net//.default",
        }));
        var json = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        var token = json["access_token"]!.GetValue<string>();
        Assert.Equal("my-app", new JsonWebToken(token).GetClaim("appid").Value);
        Assert.Equal(HttpStatusCode.OK, (await CallArm(app, token)).Item1);

        using var wrongGrant = await http.PostAsync(tokenEndpoint.AbsolutePath, new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "password" }));
        Assert.Equal(HttpStatusCode.BadRequest, wrongGrant.StatusCode);
    }

    [Fact]
    public async Task An_expired_token_is_refused_and_anonymous_ARM_calls_need_the_explicit_setting()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var app = await EmulatorApp.StartAsync(time, new() { ["Identity:TokenLifetime"] = "00:10:00" });
        var token = await app.ManagedIdentityTokenAsync();
        Assert.Equal(HttpStatusCode.OK, (await CallArm(app, token)).Item1);
        time.Advance(TimeSpan.FromMinutes(12));
        var (status, body) = await CallArm(app, token);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("InvalidAuthenticationToken", body!["error"]!["code"]!.GetValue<string>());

        // A new token lives its whole lifetime from the emulated now, as both token endpoints state it.
        using var http = app.NewHttpClient();
        using var msiRequest = new HttpRequestMessage(HttpMethod.Get, "/metadata/identity/oauth2/token?resource=https://management.azure.com/");
        msiRequest.Headers.Add("Metadata", "true");
        using var msi = await http.SendAsync(msiRequest);
        var msiJson = (await msi.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("600", msiJson["expires_in"]!.GetValue<string>());
        Assert.Equal(time.GetUtcNow().AddMinutes(10).ToUnixTimeSeconds().ToString(), msiJson["expires_on"]!.GetValue<string>());
        using var sp = await http.PostAsync("/adfs/oauth2/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = "my-app", ["client_secret"] = "s3cret", ["resource"] = "https://management.azure.com/",
        }));
        var spJson = (await sp.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(600, spJson["expires_in"]!.GetValue<long>());
        Assert.Equal(time.GetUtcNow().AddMinutes(10).ToUnixTimeSeconds(), spJson["expires_on"]!.GetValue<long>());
        Assert.Equal(HttpStatusCode.OK, (await CallArm(app, spJson["access_token"]!.GetValue<string>())).Item1);

        using var open = await EmulatorApp.StartAsync(settings: new() { ["Identity:AllowAnonymousArm"] = "true" });
        Assert.Equal(HttpStatusCode.OK, (await CallArm(open, null)).Item1);
    }

    [Fact]
    public async Task HTTPS_is_served_with_a_certificate_issued_by_the_emulators_own_CA()
    {
        // The emulated clock three years ahead: the certificate follows the transport clock, which clients check it against.
        using var app = await EmulatorApp.StartAsync(new FakeTimeProvider(DateTimeOffset.UtcNow.AddYears(3)), https: true);
        var httpsAddress = app.Addresses.Single(a => a.StartsWith("https://"));
        X509Certificate2? served = null;
        using var handler = app.TrustingEmulatorCa(c => served = c);
        using var http = new HttpClient(handler) { BaseAddress = new Uri(httpsAddress) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await app.ManagedIdentityTokenAsync());
        using var response = await http.GetAsync(Subscriptions);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("127.0.0.1", served!.GetNameInfo(X509NameType.DnsFromAlternativeName, false) + served.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateIPAddresses().First());
    }
}
