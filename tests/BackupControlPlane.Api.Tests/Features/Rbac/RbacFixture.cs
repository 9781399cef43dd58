using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using BackupControlPlane.Api.Tests.Features.Restore;
using BackupControlPlane.Api.Tests.Infrastructure;

namespace BackupControlPlane.Api.Tests.Features.Rbac;

/// <summary>
/// An app with <c>Identity:EnforceRbac=true</c> and a backed-up VM, shared by the RBAC tests. The app's own client
/// holds the emulator's managed identity, Owner of every subscription (the bootstrap); each principal of the tests is
/// a service principal with a token of its own from the client-credentials grant.
/// </summary>
public sealed class RbacFixture : IAsyncLifetime
{
    public const string Collection = "RBAC enforced";
    public const string Rg = "rg-rbac";
    public EmulatorApp App { get; private set; } = null!;
    public RestoreScenario Backup { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        App = await EmulatorApp.StartAsync(settings: new() { ["Identity:EnforceRbac"] = "true" });
        Backup = await RestoreScenario.BackedUpAsync(App, Rg, RestoreScenario.NewVm("rbac"));
    }

    public Task DisposeAsync()
    {
        App.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>A principal's ARM client (its token from /adfs/oauth2/token) and its object id, read from the token as ARM reads it.</summary>
    public async Task<(ArmTestClient Arm, Guid ObjectId)> PrincipalAsync(string clientId)
    {
        var token = await TokenAsync(clientId);
        var client = App.NewHttpClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return (new ArmTestClient(client), ObjectIdOf(token));
    }

    public async Task<string> TokenAsync(string clientId)
    {
        using var http = App.NewHttpClient();
        using var response = await http.PostAsync("/adfs/oauth2/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = clientId, ["client_secret"] = "secret", ["resource"] = "https://management.core.windows.net/",
        }));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["access_token"]!.GetValue<string>();
    }

    public static Guid ObjectIdOf(string token)
    {
        var payload = token.Split('.')[1].Replace('-', '+').Replace('_', '/');
        payload = payload.PadRight(payload.Length + (4 - payload.Length % 4) % 4, '=');
        return Guid.Parse(JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(payload)))!["oid"]!.GetValue<string>());
    }

    /// <summary>Assigns a built-in role to a principal at a scope, as the Owner (the app's managed identity).</summary>
    public async Task AssignAsync(string scope, string roleId, Guid principal)
    {
        using var response = await App.Arm.SendAsync(HttpMethod.Put, $"{scope}/providers/Microsoft.Authorization/roleAssignments/{Guid.NewGuid()}",
            new { properties = new { roleDefinitionId = $"/subscriptions/{ArmTestClient.Sub}/providers/Microsoft.Authorization/roleDefinitions/{roleId}", principalId = principal, principalType = "ServicePrincipal" } },
            "2022-04-01");
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"role assignment answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }
}

/// <summary>One RBAC-enforcing app for every RBAC test class (each class fixture would start its own).</summary>
[CollectionDefinition(RbacFixture.Collection)]
public sealed class RbacCollection : ICollectionFixture<RbacFixture>;
