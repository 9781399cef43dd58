using System.Text.Json.Serialization;

namespace BackupControlPlane.Api.Arm;

/// <summary>ARM's error envelope, <c>{"error":{"code","message"}}</c>, which Azure clients parse.</summary>
public sealed record ArmErrorResponse(ArmErrorBody Error);

public sealed record ArmErrorBody(string Code, string Message, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Target = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ArmErrorBody>? Details = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ArmAdditionalInfo>? AdditionalInfo = null);

/// <summary>An entry of ARM's <c>additionalInfo</c>: both members always set (azure-mgmt-core drops the error otherwise).</summary>
public sealed record ArmAdditionalInfo(string Type, System.Text.Json.Nodes.JsonNode Info);

public static class ArmErrorCodes
{
    public const string ResourceNotFound = "ResourceNotFound";
    public const string InvalidRequestContent = "InvalidRequestContent";
    public const string MissingApiVersionParameter = "MissingApiVersionParameter";
    public const string InvalidApiVersionParameter = "InvalidApiVersionParameter";
    public const string InvalidResourceName = "InvalidResourceName";
    public const string VirtualMachineAlreadyProtected = "VirtualMachineAlreadyProtected";
    public const string OperationNotAllowed = "OperationNotAllowed";
    public const string StorageUnavailable = "StorageUnavailable";
    public const string NotFound = "NotFound";
}

/// <summary>Thrown by ARM handlers to answer with the envelope; mapped by <see cref="ArmExceptionHandler"/>.</summary>
public sealed class ArmException(int statusCode, string code, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;
    public string Code { get; } = code;

    public static ArmException NotFound(string what) =>
        new(StatusCodes.Status404NotFound, ArmErrorCodes.ResourceNotFound, $"The Resource '{what}' was not found.");

    public static ArmException BadRequest(string message, string code = ArmErrorCodes.InvalidRequestContent) =>
        new(StatusCodes.Status400BadRequest, code, message);
}

public static class ArmResults
{
    public static IResult Error(int status, string code, string message) =>
        TypedResults.Json(new ArmErrorResponse(new ArmErrorBody(code, message)), statusCode: status);

    /// <summary>ARM's paths: under a subscription, or a provider's tenant-level routes (<c>/providers/{namespace}/operations</c>).</summary>
    public static bool IsArmPath(PathString path) =>
        path.StartsWithSegments("/subscriptions", StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/providers", StringComparison.OrdinalIgnoreCase);
}

/// <summary>ARM's list envelope.</summary>
public sealed record ArmList<T>(IReadOnlyList<T> Value, string? NextLink = null);
