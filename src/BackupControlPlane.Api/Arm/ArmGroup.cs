namespace BackupControlPlane.Api.Arm;

public static class ArmGroup
{
    /// <summary>The authorization policy of every ARM route: a bearer token the emulator signed (Identity registers it).</summary>
    public const string Policy = "Arm";

    /// <summary>
    /// Where every ARM route is mapped: a route group that requires <see cref="Policy"/>, so no ARM route can be mapped
    /// without it (a test checks every <c>/subscriptions</c> endpoint carries it).
    /// </summary>
    public static RouteGroupBuilder MapArm(this IEndpointRouteBuilder app) => app.MapGroup("").RequireAuthorization(Policy).AddEndpointFilter(RequireGuidSubscription);

    /// <summary>
    /// Any subscription id is accepted on first use, as long as it is a GUID as Azure's are; anything else answers
    /// Azure's <c>InvalidSubscriptionId</c> before a handler can create something under it.
    /// </summary>
    private static ValueTask<object?> RequireGuidSubscription(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        context.HttpContext.GetRouteValue("subscriptionId") is string id && !Guid.TryParse(id, out _)
            ? throw InvalidSubscriptionId(id)
            : next(context);

    /// <summary>Azure's answer for a subscription id that is not a GUID (also given by refusals of routes not emulated).</summary>
    public static ArmException InvalidSubscriptionId(string id) =>
        new(400, "InvalidSubscriptionId", $"The provided subscription identifier '{(id.Length > 64 ? id[..64] + "…" : id)}' is malformed or invalid.");
}
