using System.Reflection;
using BackupControlPlane.Api.Infrastructure;
using BackupControlPlane.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace BackupControlPlane.Api.Tests.Architecture;

/// <summary>
/// Every route with an optional query parameter that must parse is mapped with Infrastructure/RuntimeBoundRoutes: the
/// Request Delegate Generator's code would answer a value that does not parse with an empty 400 instead of the route
/// family's error naming it (Arm/QueryBindingFailureTests checks those answers).
/// </summary>
public sealed class RuntimeBoundRouteTests
{
    [Fact]
    public async Task Every_route_with_an_optional_parsable_query_parameter_is_bound_at_runtime()
    {
        var app = await EmulatorApp.SharedAsync();
        var endpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        var needing = endpoints.Where(e => e.Metadata.GetMetadata<MethodInfo>() is { } handler && OptionalParsableQuery(e, handler).Any()).ToList();
        Assert.True(needing.Count >= 10, $"only {needing.Count} routes with such a parameter found: the detection is broken");
        Assert.Empty(needing.Where(e => e.Metadata.GetMetadata<RuntimeBoundRoutes.Marker>() is null)
            .Select(e => $"{e.RoutePattern.RawText} ({string.Join(", ", OptionalParsableQuery(e, e.Metadata.GetMetadata<MethodInfo>()!))})"));
    }

    /// <summary>Handler parameters (and members of its [AsParameters] bundles) bound from the query, optional, of a value type.</summary>
    private static IEnumerable<string> OptionalParsableQuery(RouteEndpoint endpoint, MethodInfo handler)
    {
        foreach (var p in handler.GetParameters())
        {
            if (p.GetCustomAttribute<AsParametersAttribute>() is not null)
            {
                var members = p.ParameterType.GetConstructors().SelectMany(c => c.GetParameters()).Select(c => (c.Name!, c.ParameterType, Optional: c.HasDefaultValue, Attributes: c.GetCustomAttributes()))
                    .Concat(p.ParameterType.GetProperties().Where(m => m.CanWrite).Select(m => (m.Name, m.PropertyType, Optional: true, Attributes: m.GetCustomAttributes())));
                foreach (var (name, type, optional, attributes) in members)
                    if (IsOptionalParsableQuery(endpoint, name, type, optional, attributes)) yield return name;
            }
            else if (IsOptionalParsableQuery(endpoint, p.Name!, p.ParameterType, p.HasDefaultValue, p.GetCustomAttributes()))
                yield return p.Name!;
        }
    }

    private static bool IsOptionalParsableQuery(RouteEndpoint endpoint, string name, Type type, bool optional, IEnumerable<Attribute> attributes)
    {
        var attributeList = attributes.ToList();
        if (attributeList.Any(a => a is FromRouteAttribute or FromBodyAttribute or FromServicesAttribute or FromHeaderAttribute or FromFormAttribute)) return false;
        if (endpoint.RoutePattern.GetParameter(name) is not null) return false;
        var value = Nullable.GetUnderlyingType(type) ?? type;
        if (!value.IsValueType || value == typeof(CancellationToken)) return false;
        return optional || Nullable.GetUnderlyingType(type) is not null;
    }
}
