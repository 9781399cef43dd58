namespace BackupControlPlane.Api.Features.Deployments;

public static class DeploymentsSetup
{
    public static IServiceCollection AddDeployments(this IServiceCollection services)
    {
        services.AddSingleton<ArmPipeline>();
        services.AddScoped<DeploymentRequestReader>();
        services.AddScoped<DeploymentPlanner>();
        services.AddScoped<DeploymentService>();
        services.AddScoped<DeploymentRunner>();
        services.AddSingleton<DeploymentWhatIf>();
        return services;
    }
}
