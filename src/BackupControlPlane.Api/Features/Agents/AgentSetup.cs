using Microsoft.AspNetCore.Authentication;

namespace BackupControlPlane.Api.Features.Agents;

public static class AgentSetup
{
    /// <summary>The agent slice: credentials and their authentication scheme, presence, wake-ups and goal states.</summary>
    public static IServiceCollection AddAgents(this IServiceCollection services)
    {
        services.AddSingleton<AgentCredentials>();
        services.AddSingleton<AgentNotifier>();
        services.AddSingleton<AgentPresence>();
        services.AddSingleton<AgentHeartbeats>();
        services.AddSingleton<GoalStateHold>();
        services.AddScoped<GoalStateBuilder>();
        services.AddSingleton<AgentCertificateCache>();
        services.AddSingleton<IdleGoalStates>();
        services.AddSingleton<AgentGauges>().AddHostedService(sp => sp.GetRequiredService<AgentGauges>());
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, AgentAuthenticationHandler>(AgentAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder().AddPolicy(AgentAuthenticationHandler.Policy, p => p
            .AddAuthenticationSchemes(AgentAuthenticationHandler.SchemeName)
            .RequireAuthenticatedUser());
        return services;
    }
}
