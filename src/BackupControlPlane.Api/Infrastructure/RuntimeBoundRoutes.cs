namespace BackupControlPlane.Api.Infrastructure;

/// <summary>
/// Maps a route whose request delegate the runtime's RequestDelegateFactory must build, not the Request Delegate
/// Generator (which builds every other route's at compile time, so that no expression tree is compiled at start).
/// For a query value that does not parse into an optional or nullable parameter (<c>$top=abc</c>,
/// <c>waitSeconds=abc</c>, <c>regenerateCa=maybe</c>, <c>until=notadate</c>) the generator's code answers an empty 400
/// and neither throws nor logs, whatever RouteHandlerOptions.ThrowOnBadRequest says (.NET 10's RDG); the runtime throws
/// BadHttpRequestException ("Failed to bind parameter …"), which ArmExceptionHandler turns into the route family's
/// error with that message. Routes with such parameters are mapped here: handed on as a plain <see cref="Delegate"/>,
/// the handler is one the generator cannot resolve, so it leaves the call alone (its warning RDG002 says so, and is
/// expected here only).
/// </summary>
public static class RuntimeBoundRoutes
{
    /// <summary>Marks the endpoints mapped here, so a test can find a route with such a parameter that was not.</summary>
    public sealed class Marker
    {
        public static readonly Marker Instance = new();
    }

#pragma warning disable RDG002 // the generator cannot see the handler: the point of these methods
    public static RouteHandlerBuilder MapGetAtRuntime(this IEndpointRouteBuilder app, string pattern, Delegate handler) =>
        app.MapGet(pattern, handler).WithMetadata(Marker.Instance);

    public static RouteHandlerBuilder MapPostAtRuntime(this IEndpointRouteBuilder app, string pattern, Delegate handler) =>
        app.MapPost(pattern, handler).WithMetadata(Marker.Instance);
#pragma warning restore RDG002
}
