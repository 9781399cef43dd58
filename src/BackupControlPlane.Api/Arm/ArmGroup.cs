namespace BackupControlPlane.Api.Arm;

public static class ArmGroup
{
    /// <summary>The authorization policy of every ARM route: a bearer token the emulator signed (Identity registers it).</summary>
    public const string Policy = "Arm";

    /// <summary>
    /// Where every ARM route is mapped: a route group that requires <see cref="Policy"/>, so no ARM route can be mapped
    /// without it (a test checks every <c>/subscriptions</c> endpoint carries it).
    /// </summary>
    public static RouteGroupBuilder MapArm(this IEndpointRouteBuilder app) => app.MapGroup("").RequireAuthorization(Policy);
}
