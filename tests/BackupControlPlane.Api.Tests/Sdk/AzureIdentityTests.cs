using System.Net;
using Azure.Core;
using Azure.Identity;
using BackupControlPlane.Api.Features.Identity;
using BackupControlPlane.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace BackupControlPlane.Api.Tests.Sdk;

/// <summary>
/// Tests that set the process's environment variables: they run alone, after the parallel tests, so no other test (nor
/// a child process such as az, which inherits the environment) sees them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessEnvironmentCollection
{
    public const string Name = "Process environment: runs alone";
}

/// <summary>
/// Azure.Identity for .NET, unmodified: <c>ManagedIdentityCredential</c> reads its flavour from the environment, as on
/// Azure, and gets a token the ARM routes take. The App Service flavour (issue 16: the one MSAL-based credentials pick
/// first) only: MSAL remembers the flavour it detected for the rest of the process, so a second flavour cannot be tried
/// here (the others: Features/Identity/ManagedIdentityFlavourTests with MSAL's exact requests, and @azure/identity for
/// every flavour, a process each, in JavaScriptSdkTests).
/// </summary>
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class AzureIdentityTests
{
    private static readonly string[] Variables = ["IDENTITY_ENDPOINT", "IDENTITY_HEADER", "MSI_ENDPOINT", "MSI_SECRET", "IMDS_ENDPOINT",
        "IDENTITY_SERVER_THUMBPRINT", "AZURE_POD_IDENTITY_AUTHORITY_HOST", "AZURE_CLIENT_ID", "AZURE_FEDERATED_TOKEN_FILE"];

    [Fact]
    public async Task ManagedIdentityCredential_gets_a_token_from_the_App_Service_flavour()
    {
        var served = new ServedRequests();
        using var app = await EmulatorApp.StartAsync(services: s => s.AddSingleton<IStartupFilter>(served));
        var http = app.Addresses.Single(a => a.StartsWith("http://"));
        var environment = new Dictionary<string, string>
        {
            ["IDENTITY_ENDPOINT"] = http + ManagedIdentityEndpoints.AppServicePath,
            ["IDENTITY_HEADER"] = app.Service<IdentityHeaderSecret>().Value,
        };
        var saved = Variables.ToDictionary(v => v, Environment.GetEnvironmentVariable);
        try
        {
            foreach (var v in Variables) Environment.SetEnvironmentVariable(v, environment.GetValueOrDefault(v));
            var token = await new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned)
                .GetTokenAsync(new TokenRequestContext(["https://management.azure.com/.default"]), CancellationToken.None);
            Assert.InRange(token.ExpiresOn - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(50), TimeSpan.FromMinutes(61));
            Assert.Contains(served.All, r => r.Method == "GET" && r.Path == ManagedIdentityEndpoints.AppServicePath
                && r.ApiVersion == ManagedIdentityEndpoints.AppServiceApiVersion && r.IdentityHeader == environment["IDENTITY_HEADER"]);

            using var client = app.NewHttpClient();
            using var arm = new HttpRequestMessage(HttpMethod.Get, "/subscriptions?api-version=2022-12-01");
            arm.Headers.Authorization = new("Bearer", token.Token);
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(arm)).StatusCode);
        }
        finally
        {
            foreach (var (v, value) in saved) Environment.SetEnvironmentVariable(v, value);
        }
    }
}
