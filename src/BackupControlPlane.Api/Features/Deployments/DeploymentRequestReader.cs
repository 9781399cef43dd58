using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using BackupControlPlane.Api.Arm;

namespace BackupControlPlane.Api.Features.Deployments;

/// <summary>A deployment request's properties, as PUT, validate and whatIf take them.</summary>
/// <param name="WhatIfResultFormat">whatIf's <c>whatIfSettings.resultFormat</c>: FullResourcePayloads (default) or ResourceIdOnly.</param>
public sealed record DeploymentRequest(JsonObject Template, string? TemplateLink, JsonObject? Parameters, string Mode, string? Location,
    string WhatIfResultFormat = "FullResourcePayloads");

/// <summary>
/// Reads a deployment request body. It is not always strict JSON: for <c>--template-file</c> az splices the file's raw
/// text, comments and all, after an unquoted <c>template:</c> key (its JsonCTemplatePolicy); both forms are accepted.
/// A <c>templateLink</c> is fetched only from the emulator's own blob storage (a SAS URI, as the restore job writes):
/// the service makes no call off the machine.
/// </summary>
public sealed class DeploymentRequestReader(BlobServiceClient blobs)
{
    private static readonly JsonDocumentOptions Lenient = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
    private static readonly string[] Known = ["template", "templateLink", "parameters", "mode", "expressionEvaluationOptions", "debugSetting", "whatIfSettings"];

    public async Task<DeploymentRequest> ReadAsync(HttpRequest request, bool locationRequired, CancellationToken ct)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var body = Parse(await reader.ReadToEndAsync(ct));
        JsonShape.RequireReadable(body); // a member sent twice surfaces here as a 400, not later as a 500
        if (body["properties"] is not JsonObject properties)
            throw ArmException.BadRequest("The request content was invalid: the 'properties' object of the deployment is required.", "InvalidRequestContent");
        var unknown = properties.Select(p => p.Key).Where(k => !Known.Contains(k, StringComparer.OrdinalIgnoreCase)).ToList();
        if (unknown.Count > 0)
            throw ArmException.BadRequest($"The deployment properties {string.Join(", ", unknown.Select(u => $"'{u}'"))} are not supported by the emulator.", "InvalidRequestContent");
        var others = body.Select(p => p.Key).Where(k => k is not ("properties" or "location")).ToList();
        if (others.Count > 0)
            throw ArmException.BadRequest($"The deployment members {string.Join(", ", others.Select(u => $"'{u}'"))} are not supported by the emulator.", "InvalidRequestContent");

        var mode = properties["mode"]?.ToString() ?? "Incremental";
        if (!mode.Equals("Incremental", StringComparison.OrdinalIgnoreCase))
            throw ArmException.BadRequest($"The deployment mode '{mode}' is not supported by the emulator: only 'Incremental' (Complete mode, which deletes resources the template does not name, is not emulated).", "InvalidDeploymentMode");
        if (properties["debugSetting"] is JsonObject debug && debug["detailLevel"]?.ToString() is { Length: > 0 } level && !level.Equals("none", StringComparison.OrdinalIgnoreCase))
            throw ArmException.BadRequest($"debugSetting.detailLevel '{level}' is not supported by the emulator (request and response content are not recorded).", "InvalidRequestContent");
        var location = body["location"]?.ToString();
        if (locationRequired && string.IsNullOrEmpty(location))
            throw ArmException.BadRequest("The location property is required for this definition.", "LocationRequired");

        var link = properties["templateLink"] is JsonObject l ? LinkOf(l) : null;
        var template = link is not null ? await FetchAsync(link, ct)
            : properties["template"] as JsonObject ?? throw ArmException.BadRequest("The request content was invalid: the deployment needs 'properties.template' or 'properties.templateLink'.", "InvalidRequestContent");
        if (properties["templateLink"]?["contentVersion"]?.ToString() is { } wanted && template["contentVersion"]?.ToString() != wanted)
            throw ArmException.BadRequest($"The content version of the linked template is '{template["contentVersion"]}', not the '{wanted}' templateLink.contentVersion asks for.", "InvalidContentLink");
        var parameters = properties["parameters"] switch
        {
            null => null,
            JsonObject p => p,
            _ => throw ArmException.BadRequest("The request content was invalid: 'properties.parameters' must be an object.", "InvalidRequestContent"),
        };
        var format = properties["whatIfSettings"]?["resultFormat"]?.ToString() ?? "FullResourcePayloads";
        if (format is not ("FullResourcePayloads" or "ResourceIdOnly"))
            throw ArmException.BadRequest($"whatIfSettings.resultFormat '{format}' is not valid: FullResourcePayloads or ResourceIdOnly.", "InvalidRequestContent");
        // Kept and shown without its query: a SAS signature is a secret.
        var shownLink = link is null ? null : new Uri(link).GetLeftPart(UriPartial.Path);
        return new DeploymentRequest((JsonObject)template.DeepClone(), shownLink, (JsonObject?)parameters?.DeepClone(), "Incremental", location, format);
    }

    /// <summary>
    /// The URI to fetch: <c>uri</c> with <c>queryString</c> (a SAS az sends apart with --query-string) appended. Template
    /// specs (<c>id</c>) and <c>relativePath</c> are refused by name; <c>contentVersion</c> is checked after the fetch.
    /// </summary>
    private static string LinkOf(JsonObject link)
    {
        foreach (var (name, _) in link)
            if (name is not ("uri" or "queryString" or "contentVersion"))
                throw ArmException.BadRequest($"templateLink.{name} is not supported by the emulator (template specs and relative paths are not emulated).", "InvalidContentLink");
        var uri = link["uri"]?.ToString() ?? throw ArmException.BadRequest("templateLink.uri is required.", "InvalidContentLink");
        return link["queryString"]?.ToString() is { Length: > 0 } query ? uri + (uri.Contains('?') ? "&" : "?") + query.TrimStart('?') : uri;
    }

    /// <summary>Strict JSON (comments tolerated), else az's splice: its JSON minus the last "}}", ", template:", the raw file, "}}".</summary>
    internal static JsonObject Parse(string text)
    {
        try
        {
            return JsonNode.Parse(text, documentOptions: Lenient) as JsonObject ?? throw Invalid("the body is not a JSON object");
        }
        catch (JsonException strict)
        {
            for (var i = text.IndexOf(", template:", StringComparison.Ordinal); i >= 0; i = text.IndexOf(", template:", i + 1, StringComparison.Ordinal))
            {
                if (!TryParse(text[..i] + "}}", out var head) || head?["properties"] is not JsonObject properties) continue;
                var raw = text[(i + ", template:".Length)..].TrimEnd();
                if (!raw.EndsWith("}}", StringComparison.Ordinal)) continue;
                try { properties["template"] = JsonNode.Parse(raw[..^2], documentOptions: Lenient); }
                catch (JsonException e) { throw InvalidTemplateText(e); }
                return head;
            }
            throw Invalid(strict.Message);
        }
    }

    private static bool TryParse(string text, out JsonObject? node)
    {
        try { node = JsonNode.Parse(text, documentOptions: Lenient) as JsonObject; return node is not null; }
        catch (JsonException) { node = null; return false; }
    }

    private static ArmException Invalid(string why) => ArmException.BadRequest($"The request content was invalid and could not be deserialized: {why}", "InvalidRequestContent");

    private static ArmException InvalidTemplateText(JsonException e) => ArmException.BadRequest(
        $"Deployment template parse failed: '{e.Message}' at line '{(e.LineNumber ?? 0) + 1}' and column '{(e.BytePositionInLine ?? 0) + 1}'.", DeploymentErrors.InvalidTemplate);

    private async Task<JsonObject> FetchAsync(string uri, CancellationToken ct)
    {
        if (!Uri.TryCreate(uri, UriKind.Absolute, out var u) || u.Scheme is not ("http" or "https"))
            throw ArmException.BadRequest($"Unable to download deployment content from '{uri}': not an absolute http(s) URI.", "InvalidContentLink");
        var storage = blobs.Uri;
        if (!u.Host.Equals(storage.Host, StringComparison.OrdinalIgnoreCase) || u.Port != storage.Port || !u.AbsolutePath.StartsWith(storage.AbsolutePath, StringComparison.Ordinal))
            throw ArmException.BadRequest($"Unable to download deployment content from '{u.GetLeftPart(UriPartial.Path)}': the emulator fetches templates only from its own blob storage ({storage}), never off the machine.", "InvalidContentLink");
        BinaryData content;
        try { content = (await new BlobClient(u).DownloadContentAsync(ct)).Value.Content; }
        catch (Azure.RequestFailedException e)
        {
            throw ArmException.BadRequest($"Unable to download deployment content from '{u.GetLeftPart(UriPartial.Path)}': {e.Status} {e.ErrorCode}.", "InvalidContentLink");
        }
        var text = content.ToString().TrimStart('\uFEFF');
        JsonObject fetched;
        try { fetched = JsonNode.Parse(text, documentOptions: Lenient) as JsonObject ?? throw new JsonException("not an object"); }
        catch (JsonException e) { throw InvalidTemplateText(e); }
        JsonShape.RequireReadable(fetched);
        return fetched;
    }
}
