using System.Collections.Frozen;

namespace BackupControlPlane.Api.Features.Deployments.Templates;

/// <summary>Every built-in template function, by case-insensitive name. Names not here (and not list*) are refused.</summary>
internal static class FunctionLibrary
{
    public static readonly IReadOnlyDictionary<string, FunctionDefinition> BuiltIns =
        StringFunctions.Definitions()
            .Concat(HashFunctions.Definitions())
            .Concat(ArrayFunctions.Definitions())
            .Concat(ObjectFunctions.Definitions())
            .Concat(LogicalNumericFunctions.Definitions())
            .Concat(DateFunctions.Definitions())
            .Concat(ResourceFunctions.Definitions())
            .Concat(DeploymentFunctions.Definitions())
            .Concat(LambdaFunctions.Definitions())
            .ToFrozenDictionary(d => d.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>Shorthand for a definition: <c>F("name", min, max, call => …)</c>.</summary>
    public static FunctionDefinition F(string name, int min, int max, TemplateFunction invoke) => new(name, min, max, invoke);

    public const int Many = int.MaxValue;
}
