using System.Text.Json.Nodes;
using V = BackupControlPlane.Api.Features.Deployments.Templates.TemplateValues;

namespace BackupControlPlane.Api.Features.Deployments.Templates;

/// <summary>
/// The ARM template language, written here (no .NET package for it is available): validates a template and its
/// parameters, evaluates variables, expands copy loops and conditions, and orders the resources by dependsOn.
/// </summary>
public static class TemplateEngine
{
    private static readonly HashSet<string> TemplateMembers = new(StringComparer.OrdinalIgnoreCase)
    {
        "$schema", "contentVersion", "parameters", "variables", "functions", "resources", "outputs", "metadata",
        "languageVersion", "definitions",
    };

    /// <summary>
    /// Plans a deployment. Throws <see cref="TemplateException"/> (code InvalidTemplate, message "Deployment template
    /// validation failed: '…'.", Target the template path) for any problem in the template or the parameters.
    /// </summary>
    public static TemplatePlan Plan(JsonObject template, JsonObject? parameters, DeploymentContext context)
    {
        try
        {
            CheckShape(template, context);
            var state = new TemplateState(context, template);
            var (_, secure) = TemplateParameters.Bind(state, parameters);
            var root = new EvaluationScope(state);
            foreach (var name in state.VariableNames()) state.Variable(name, root);
            TemplateExpander.Expand(state);
            CheckDuplicates(state.Resources);
            var ordered = DependencyGraph.Order(state.Resources)
                .Select(o => new PlannedResource(o.Resource, o.DependsOn.Select(d => d.ResourceId).ToList()))
                .ToList();
            return new TemplatePlan(state, ordered, secure);
        }
        catch (TemplateException e) when (e.Code == TemplateException.InvalidTemplate)
        {
            throw new TemplateException(e.Code, $"Deployment template validation failed: '{e.Message}'.", e.Target ?? "");
        }
        catch (Exception e) when (TemplateState.IsValueError(e))
        {
            throw new TemplateException(TemplateException.InvalidTemplate, $"Deployment template validation failed: '{e.Message}'.", "");
        }
    }

    private static void CheckShape(JsonObject template, DeploymentContext context)
    {
        var schema = V.AsString(template["$schema"]) ?? "";
        var templateScope = schema.Contains("subscriptionDeploymentTemplate", StringComparison.OrdinalIgnoreCase) ? "subscription"
            : schema.Contains("managementGroupDeploymentTemplate", StringComparison.OrdinalIgnoreCase) ? "managementGroup"
            : schema.Contains("tenantDeploymentTemplate", StringComparison.OrdinalIgnoreCase) ? "tenant"
            : schema.Length == 0 ? null : "resourceGroup";
        var deploymentScope = context.ResourceGroupName is null ? "subscription" : "resourceGroup";
        if (templateScope is not null && templateScope != deploymentScope)
            throw TemplateException.Invalid(
                $"The template schema '{schema}' is for {templateScope} deployments, but this deployment is at {deploymentScope} scope.", "$schema");
        if (template.Select(p => p.Key).FirstOrDefault(k => !TemplateMembers.Contains(k)) is { } unknown)
            throw TemplateException.Invalid($"The template property '{unknown}' is not supported by the emulator's template engine.", unknown);
        if (V.AsString(template["languageVersion"]) is { } version && version is not ("2.0" or "1.9-experimental" or "1.10-experimental"))
            throw TemplateException.Invalid($"The template language version '{version}' is not supported; use '2.0' or none.", "languageVersion");
        foreach (var section in new[] { "parameters", "variables", "outputs", "definitions" })
            if (template[section] is { } node && node is not JsonObject)
                throw TemplateException.Invalid($"The template '{section}' must be an object.", section);
    }

    private static void CheckDuplicates(ResourceDirectory resources)
    {
        var duplicate = resources.All.Where(r => r.Condition && !r.IsExisting)
            .GroupBy(r => r.ResourceId, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw TemplateException.Invalid($"The resource '{duplicate.Key}' is defined multiple times in a template. Please see https://aka.ms/arm-syntax-resources for usage details.", duplicate.Last().Path);
    }
}
