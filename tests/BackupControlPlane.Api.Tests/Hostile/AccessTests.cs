using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BackupControlPlane.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace BackupControlPlane.Api.Tests.Hostile;

/// <summary>
/// The emulator control routes (they hand out agent secrets and run jobs) and the Hangfire dashboard answer local
/// callers only, unless Emulator:AllowRemoteControl says otherwise. Remote callers are simulated by a startup filter
/// that gives every request a documentation-range address (203.0.113.7) before the app's own pipeline sees it.
/// </summary>
public sealed class AccessTests
{
    [Fact]
    public async Task A_remote_caller_gets_403_from_the_control_routes_and_no_Hangfire_dashboard_but_ARM_still_works()
    {
        using var app = await EmulatorApp.StartAsync(services: s => s.AddTransient<IStartupFilter, RemoteCaller>());
        await app.Arm.PutVmAsync("rg-remote", "vm1");

        foreach (var (method, path) in new[] { ("GET", "/emulator/agents"), ("POST", "/emulator/scheduler/run-due"), ("DELETE", "/emulator/agents/" + Guid.NewGuid() + "/fault") })
        {
            using var response = await app.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{method} {path} answered {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.DoesNotContain("provisioningSecret", await response.Content.ReadAsStringAsync());
        }
        using (var dashboard = await app.Client.GetAsync("/hangfire"))
        {
            Assert.True(dashboard.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden, $"/hangfire answered {(int)dashboard.StatusCode}");
            Assert.Equal("application/problem+json", dashboard.Content.Headers.ContentType?.MediaType);
        }
        // ARM is not a control route: a remote client with a token is served.
        Assert.Equal("vm1", (await app.Arm.GetAsync(ArmTestClient.VmPath("rg-remote", "vm1"), "2022-08-01"))["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task With_AllowRemoteControl_a_remote_caller_reaches_the_control_routes_and_the_dashboard()
    {
        using var app = await EmulatorApp.StartAsync(settings: new() { ["Emulator:AllowRemoteControl"] = "true" },
            services: s => s.AddTransient<IStartupFilter, RemoteCaller>());
        await app.Arm.PutVmAsync("rg-remote-ok", "vm1");

        var fleet = await app.Client.GetFromJsonAsync<JsonArray>("/emulator/agents");
        Assert.Single(fleet!);
        using var dashboard = await app.Client.GetAsync("/hangfire");
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
    }

    [Fact]
    public async Task A_local_caller_reaches_the_control_routes_and_the_dashboard()
    {
        var app = await EmulatorApp.SharedAsync();
        using var fleet = await app.Client.GetAsync("/emulator/agents");
        Assert.Equal(HttpStatusCode.OK, fleet.StatusCode);
        using var dashboard = await app.Client.GetAsync("/hangfire");
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
    }

    private sealed class RemoteCaller : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((http, inner) =>
            {
                http.Connection.RemoteIpAddress = IPAddress.Parse("203.0.113.7");
                return inner(http);
            });
            next(app);
        };
    }
}
