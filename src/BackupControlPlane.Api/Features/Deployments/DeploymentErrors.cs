using System.Text.Json;
using System.Text.Json.Nodes;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Features.Deployments.Templates;

namespace BackupControlPlane.Api.Features.Deployments;

/// <summary>ARM's deployment errors, in the shapes az parses (azure-vault-security-iac.md §8.2–8.3).</summary>
public static class DeploymentErrors
{
    public const string InvalidTemplate = "InvalidTemplate";
    public const string DeploymentFailed = "DeploymentFailed";

    /// <summary>A template error: ARM's message prefix and a TemplateViolation with the path (az needs both type and info).</summary>
    public static ArmErrorBody FromTemplate(TemplateException e, bool preflight = true)
    {
        var message = preflight && e.Code == InvalidTemplate && !e.Message.StartsWith("Deployment template", StringComparison.Ordinal)
            ? $"Deployment template validation failed: '{e.Message}'."
            : e.Message;
        return new ArmErrorBody(e.Code, message, e.Target, AdditionalInfo:
        [
            new ArmAdditionalInfo("TemplateViolation", new JsonObject { ["lineNumber"] = 0, ["linePosition"] = 0, ["path"] = e.Target ?? "" }),
        ]);
    }

    /// <summary>The deployment's error when resources failed: each one's ARM error inside a ResourceDeploymentFailure.</summary>
    public static ArmErrorBody Failed(string deploymentId, IReadOnlyList<(string ResourceId, ArmErrorBody Error)> failures) => new(DeploymentFailed,
        "At least one resource deployment operation failed. Please list deployment operations for details. Please see https://aka.ms/arm-deployment-operations for usage details.",
        deploymentId,
        [.. failures.Select(f => new ArmErrorBody("ResourceDeploymentFailure", $"The resource write operation failed to complete successfully: {f.Error.Code}: {f.Error.Message}", f.ResourceId, [f.Error]))]);

    public static ArmErrorBody FromJson(JsonObject error) =>
        error.Deserialize<ArmErrorBody>(JsonSerializerOptions.Web) ?? new ArmErrorBody("ResourceDeploymentFailure", error.ToJsonString());

    public static string ToJson(ArmErrorBody error) => JsonSerializer.Serialize(error, JsonSerializerOptions.Web);

    public static ArmException NotFound(string name) =>
        new(404, "DeploymentNotFound", $"Deployment '{name}' could not be found.");
}
