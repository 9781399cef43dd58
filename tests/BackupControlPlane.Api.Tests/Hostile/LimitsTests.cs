using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using BackupControlPlane.Api.Tests.Infrastructure;

namespace BackupControlPlane.Api.Tests.Hostile;

/// <summary>Request size and rate limits: 413 and 429 (with Retry-After) in the error shape of the route family.</summary>
public sealed class LimitsTests
{
    [Fact]
    public async Task A_body_over_the_configured_size_answers_413_in_the_route_family_shape_and_a_smaller_one_is_served()
    {
        using var app = await EmulatorApp.StartAsync(settings: new() { ["Limits:MaxRequestBodyBytes"] = "4096" });
        var vault = ArmTestClient.WithVersion(ArmTestClient.VaultPath("rg-limits", "v1"));
        var big = "{\"location\":\"eastus\",\"tags\":{\"t\":\"" + new string('x', 8000) + "\"}}";

        // Declared length: refused before anything reads it.
        using (var response = await app.Client.PutAsync(vault, new StringContent(big, Encoding.UTF8, "application/json")))
            await AssertArmError(response, HttpStatusCode.RequestEntityTooLarge, "RequestEntityTooLarge");
        // Chunked, no length: Kestrel stops reading at the limit.
        using (var chunked = new HttpRequestMessage(HttpMethod.Put, vault) { Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(big))) })
        {
            chunked.Content.Headers.ContentType = new("application/json");
            chunked.Headers.TransferEncodingChunked = true;
            using var response = await app.NewHttpClientWithToken().SendAsync(chunked);
            await AssertArmError(response, HttpStatusCode.RequestEntityTooLarge, "RequestEntityTooLarge");
        }
        // Our own routes answer ProblemDetails.
        using (var response = await app.NewHttpClient().PostAsync("/api/backup/protection/enable-for-vm", new StringContent(big, Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(413, (await response.Content.ReadFromJsonAsync<JsonObject>())!["status"]!.GetValue<int>());
        }
        // Nothing was created, and a normal body still is.
        using (var missing = await app.Arm.SendAsync(HttpMethod.Get, ArmTestClient.VaultPath("rg-limits", "v1")))
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        await app.Arm.PutVaultAsync("rg-limits", "v1");
    }

    [Fact]
    public async Task Past_the_configured_rate_ARM_and_own_routes_answer_429_with_Retry_After_while_agents_and_health_probes_keep_their_own_budget()
    {
        using var app = await EmulatorApp.StartAsync(settings: new() { ["Limits:RequestsPerSecond"] = "1", ["Limits:Burst"] = "5" });

        // One token a second against requests sent back to back: the bucket runs dry within a few requests.
        var throttled = await FirstThrottledAsync(() => app.Arm.SendAsync(HttpMethod.Get, $"/subscriptions/{ArmTestClient.Sub}/providers/Microsoft.RecoveryServices/vaults"));
        Assert.True(throttled.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), $"Retry-After: {throttled.Headers.RetryAfter}");
        await AssertArmError(throttled, HttpStatusCode.TooManyRequests, "TooManyRequests");

        // The same client's budget is spent on our own routes too, answered as ProblemDetails.
        var own = await FirstThrottledAsync(() => app.Client.GetAsync("/emulator/agents"));
        Assert.NotNull(own.Headers.RetryAfter);
        Assert.Equal("application/problem+json", own.Content.Headers.ContentType?.MediaType);
        Assert.Equal(429, (await own.Content.ReadFromJsonAsync<JsonObject>())!["status"]!.GetValue<int>());

        // Agents have a bucket of their own (the credential check answers, not the limiter), and health is never limited.
        using (var agent = await app.NewHttpClient().GetAsync("/agent/v1/goalstate?waitSeconds=0"))
            Assert.Equal(HttpStatusCode.Unauthorized, agent.StatusCode);
        using (var health = await app.NewHttpClient().GetAsync("/healthz"))
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Theory]
    [InlineData("utf-7")]      // .NET knows it but refuses to decode it (NotSupportedException: once a 500)
    [InlineData("\"UTF-7\"")]
    [InlineData("utf-32")]     // decodable, but ARM bodies are UTF-8 (see RequestLimits)
    [InlineData("x-unknown")]
    public async Task A_body_in_a_charset_other_than_UTF_8_answers_415_before_authentication_and_changes_nothing(string charset)
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = "rg-charset-" + Guid.NewGuid().ToString("N")[..6];
        var vault = ArmTestClient.WithVersion(ArmTestClient.VaultPath(rg, "v1"));
        var body = "{\"location\":\"eastus\",\"sku\":{\"name\":\"Standard\"}}";
        foreach (var client in new[] { app.NewHttpClient(), app.NewHttpClientWithToken() }) // without and with a token
        {
            using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            content.Headers.TryAddWithoutValidation("Content-Type", "application/json; charset=" + charset);
            using var response = await client.PutAsync(vault, content);
            await AssertArmError(response, HttpStatusCode.UnsupportedMediaType, "UnsupportedMediaType");
        }
        using (var missing = await app.Arm.SendAsync(HttpMethod.Get, ArmTestClient.VaultPath(rg, "v1")))
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        // The same body as UTF-8 (declared or not) is served.
        using var utf8 = new StringContent(body, Encoding.UTF8, "application/json");
        using var ok = await app.NewHttpClientWithToken().PutAsync(vault, utf8);
        Assert.True(ok.IsSuccessStatusCode, $"{(int)ok.StatusCode} {await ok.Content.ReadAsStringAsync()}");
    }

    [Fact]
    public async Task Invalid_limits_stop_the_service_at_start()
    {
        var e = await Assert.ThrowsAnyAsync<Exception>(() => EmulatorApp.StartAsync(settings: new() { ["Limits:MaxRequestBodyBytes"] = "10" }));
        Assert.Contains("MaxRequestBodyBytes", e.ToString());
    }

    private static async Task<HttpResponseMessage> FirstThrottledAsync(Func<Task<HttpResponseMessage>> send)
    {
        for (var i = 0; i < 200; i++)
        {
            var response = await send();
            if (response.StatusCode == HttpStatusCode.TooManyRequests) return response;
            response.Dispose();
        }
        throw new Xunit.Sdk.XunitException("200 requests in a row were never throttled at 1 request/s.");
    }

    internal static async Task AssertArmError(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var error = JsonNode.Parse(text)!["error"]!;
        Assert.Equal(code, error["code"]!.GetValue<string>());
        Assert.False(string.IsNullOrWhiteSpace(error["message"]!.GetValue<string>()));
    }
}

internal static class EmulatorAppExtensions
{
    /// <summary>A client of its own (a fresh connection) with the app's bearer token.</summary>
    public static HttpClient NewHttpClientWithToken(this EmulatorApp app)
    {
        var client = app.NewHttpClient();
        client.DefaultRequestHeaders.Authorization = app.Client.DefaultRequestHeaders.Authorization;
        return client;
    }
}
