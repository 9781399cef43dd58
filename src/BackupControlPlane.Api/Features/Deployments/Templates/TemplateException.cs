using System.Text.Json.Nodes;

namespace BackupControlPlane.Api.Features.Deployments.Templates;

/// <summary>
/// A template that cannot be planned or evaluated. <see cref="Code"/> is ARM's (InvalidTemplate, ResourceNotFound…),
/// <see cref="Target"/> the JSON path of the problem inside the template (e.g. <c>resources[0].properties</c>).
/// </summary>
public sealed class TemplateException(string code, string message, string? target = null) : Exception(message)
{
    public const string InvalidTemplate = "InvalidTemplate";

    public string Code { get; } = code;
    public string? Target { get; } = target;

    /// <summary>ARM's additionalInfo entry, <c>{"type":"TemplateViolation","info":{lineNumber,linePosition,path}}</c>.</summary>
    public JsonObject AdditionalInfo(int lineNumber = 0, int linePosition = 0) => new()
    {
        ["type"] = "TemplateViolation",
        ["info"] = new JsonObject { ["lineNumber"] = lineNumber, ["linePosition"] = linePosition, ["path"] = Target ?? "" },
    };

    internal static TemplateException Invalid(string message, string? path = null) => new(InvalidTemplate, message, path);

    /// <summary>The same error placed at <paramref name="path"/>, unless it already names a place.</summary>
    internal TemplateException At(string path) => Target is null ? new TemplateException(Code, Message, path) : this;
}
