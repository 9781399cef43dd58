using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace BackupControlPlane.Api.Infrastructure.OpenApi;

/// <summary>
/// The document-wide parts of the ARM description: the bearer scheme behind Swagger UI's Authorize button, ARM's error
/// envelope as a shared schema, and the tags in the order of the README walk-through.
/// </summary>
public sealed class OpenApiArmDocument : IOpenApiDocumentTransformer
{
    public const string BearerScheme = "Bearer";
    public const string ErrorSchema = "ArmErrorResponse";
    private const string ErrorDetailSchema = "ArmErrorDetail";

    /// <summary>The walk-through's order (VMs, vaults, policies, protection and backup, jobs, recovery points, restore), then the rest.</summary>
    private static readonly string[] TagOrder =
    [
        "Microsoft.Compute (emulated VMs)", "Recovery Services vaults", "Backup policies", "Protected items", "Backup jobs and operations",
        "Recovery points", "Restore", "Emulator control", "Identity (tokens)", "Convenience (az CLI style)", "Microsoft.Resources (resource groups)",
        "Subscriptions", "Microsoft.Compute disks", "Microsoft.Network (minimal)", "Storage accounts", "Agent protocol",
    ];

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "Swagger UI fetches a managed-identity token from this emulator (/metadata/identity/oauth2/token) and sends it by "
                + "itself. To call with a token of your own (az account get-access-token, or another identity), paste it here.",
        };
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas[ErrorDetailSchema] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "ARM's error detail.",
            Required = new HashSet<string> { "code", "message" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["code"] = String("The error code, e.g. ResourceNotFound, BMSUserErrorInvalidPolicyInput."),
                ["message"] = String("What went wrong, for a person."),
                ["target"] = String("The request property the error is about, when there is one."),
                ["details"] = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchemaReference(ErrorDetailSchema, document) },
            },
        };
        document.Components.Schemas[ErrorSchema] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "ARM's error envelope, which every Azure client parses.",
            Required = new HashSet<string> { "error" },
            Properties = new Dictionary<string, IOpenApiSchema> { ["error"] = new OpenApiSchemaReference(ErrorDetailSchema, document) },
        };

        var used = document.Tags ?? new HashSet<OpenApiTag>();
        var ordered = new HashSet<OpenApiTag>();
        foreach (var name in TagOrder)
            if (used.FirstOrDefault(t => t.Name == name) is { } tag) ordered.Add(tag);
        foreach (var tag in used) ordered.Add(tag); // a tag added later and not listed above goes last
        document.Tags = ordered;
        return Task.CompletedTask;
    }

    private static OpenApiSchema String(string description) => new() { Type = JsonSchemaType.String, Description = description };
}
