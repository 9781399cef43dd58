using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace BackupControlPlane.Api.Tests.Architecture;

/// <summary>Every ARM route (under /subscriptions, or a provider's /providers/… list) is mapped in the ARM route group, so none answers without a token by oversight.</summary>
public sealed class ArmRouteGroupTests
{
    [Fact]
    public async Task Every_subscriptions_route_requires_the_ARM_policy_and_no_other_route_does()
    {
        var app = await EmulatorApp.SharedAsync();
        var endpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        var arm = endpoints.Where(e => ArmResults.IsArmPath(e.RoutePattern.RawText!)).ToList();
        Assert.True(arm.Count > 40, $"only {arm.Count} ARM routes found");
        static bool Requires(RouteEndpoint e) => e.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => a.Policy == ArmGroup.Policy);
        Assert.Empty(arm.Where(e => !Requires(e)).Select(e => e.RoutePattern.RawText));
        Assert.Empty(endpoints.Except(arm).Where(Requires).Select(e => e.RoutePattern.RawText));
    }
}
