using System.Text.Json.Nodes;
using BackupControlPlane.Api.Arm;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace BackupControlPlane.Api.Infrastructure.OpenApi;

/// <summary>
/// Makes every operation of the ARM route group (<see cref="ArmGroup.MapArm"/>) callable from Swagger UI as it stands:
/// the required <c>api-version</c> with its provider's version as default, a description and a working example for each
/// path parameter (<see cref="OpenApiArmParameters"/>), the bearer token, ARM's error answers in ARM's envelope, and
/// for a long-running operation (<see cref="ArmLongRunningOperation"/>) its 202 with the headers a client polls.
/// </summary>
public sealed class OpenApiArmOperations(IOptions<EmulatorOptions> options) : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        if (!metadata.OfType<IAuthorizeData>().Any(a => a.Policy == ArmGroup.Policy)) return Task.CompletedTask;
        var path = "/" + (context.Description.RelativePath ?? "");
        var document = context.Document;

        operation.Parameters ??= [];
        foreach (var parameter in operation.Parameters.OfType<OpenApiParameter>().Where(p => p.In == ParameterLocation.Path))
            if (OpenApiArmParameters.Path.TryGetValue(parameter.Name ?? "", out var known))
            {
                parameter.Description = known.Description;
                parameter.Example = JsonValue.Create(known.Example is "" ? options.Value.DefaultSubscriptionId : known.Example);
            }
        if (!operation.Parameters.Any(p => p.Name == "api-version"))
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = "api-version",
                In = ParameterLocation.Query,
                Required = true,
                Description = "The API version, required on every ARM call. Any version real clients send is accepted (strict mode: Emulator:StrictApiVersions).",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, Default = JsonValue.Create(OpenApiArmParameters.ApiVersionFor(KnownApiVersions.ProviderOf(path))) },
            });

        operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(OpenApiArmDocument.BearerScheme, document)] = [] }];

        operation.Responses ??= [];
        if (metadata.OfType<ArmLongRunningOperation>().FirstOrDefault() is { } longRunning)
            operation.Responses["202"] = Accepted(longRunning);
        var method = context.Description.HttpMethod ?? "GET";
        if (method == "HEAD") return Task.CompletedTask; // no body, so no envelope: its 404 is documented by the route
        AddError(operation, document, "400", "The request is invalid: api-version missing, a malformed name or body (InvalidRequestContent, MissingApiVersionParameter, ...).");
        AddError(operation, document, "401", "No valid bearer token (AuthenticationFailed, InvalidAuthenticationToken).");
        if (path.Count(c => c == '{') > 1)
            AddError(operation, document, "404", "The resource group, vault, VM or item named in the path does not exist (ResourceNotFound, ResourceGroupNotFound, ...).");
        if (method is "PUT" or "POST" or "DELETE" or "PATCH")
            AddError(operation, document, "409", "The resource's state does not allow it now, e.g. another operation on it is in progress.");
        return Task.CompletedTask;
    }

    private static OpenApiResponse Accepted(ArmLongRunningOperation operation)
    {
        var headers = new Dictionary<string, IOpenApiHeader>
        {
            ["Location"] = Header("Poll this URL: 202 while the operation runs, then its result (200 or 204)."),
            ["Retry-After"] = Header("Seconds to wait before polling again."),
        };
        if (operation.AsyncOperationHeader)
            headers["Azure-AsyncOperation"] = Header("Poll this URL for the operation's status: InProgress, then Succeeded or Failed (with its error).");
        return new OpenApiResponse { Description = "Accepted: the operation runs on; poll the URLs in the headers.", Headers = headers };
    }

    private static OpenApiHeader Header(string description) => new() { Description = description, Schema = new OpenApiSchema { Type = JsonSchemaType.String } };

    private static void AddError(OpenApiOperation operation, OpenApiDocument? document, string status, string description)
    {
        if (operation.Responses!.ContainsKey(status)) return;
        operation.Responses[status] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new() { Schema = new OpenApiSchemaReference(OpenApiArmDocument.ErrorSchema, document) },
            },
        };
    }
}
