using System.Text.Json;
using System.Text.Json.Nodes;
using BackupControlPlane.Api.Arm;
using static BackupControlPlane.Api.Arm.JsonShape;

namespace BackupControlPlane.Api.Features.VirtualMachines;

/// <summary>
/// What a VM keeps of its PUT besides its size and disks, as Azure keeps it (stored as <c>VirtualMachine.SpecJson</c>):
/// the profiles under <c>properties</c> (osProfile without adminPassword and customData, which Azure never returns),
/// the image reference, zones, identity (with generated principalId/tenantId) and plan. Each is checked against the
/// shape Azure documents; a member outside it answers 400 naming its path.
/// </summary>
public sealed class VmSpec
{
    /// <summary>The tenant of every identity the emulator hands out (the tokens' tenant).</summary>
    public const string TenantId = "00000000-0000-0000-0000-0000000000aa";

    private static readonly JsonShape SubResource = Obj(("id", Str));

    private static readonly JsonShape OsProfile = Obj(
        ("computerName", Str), ("adminUsername", Str), ("adminPassword", Str), ("customData", Str),
        ("linuxConfiguration", Obj(("disablePasswordAuthentication", Bool), ("provisionVMAgent", Bool), ("patchSettings", Any),
            ("enableVMAgentPlatformUpdates", Bool),
            ("ssh", Obj(("publicKeys", ArrayOf(Obj(("path", Str), ("keyData", Str)))))))),
        ("windowsConfiguration", Obj(("provisionVMAgent", Bool), ("enableAutomaticUpdates", Bool), ("timeZone", Str), ("patchSettings", Any),
            ("winRM", Any), ("additionalUnattendContent", Any), ("enableVMAgentPlatformUpdates", Bool))),
        ("secrets", ArrayOf(Obj(("sourceVault", SubResource), ("vaultCertificates", ArrayOf(Obj(("certificateUrl", Str), ("certificateStore", Str))))))),
        ("allowExtensionOperations", Bool), ("requireGuestProvisionSignal", Bool));

    private static readonly JsonShape NetworkProfile = Obj(
        ("networkInterfaces", ArrayOf(Obj(("id", Str), ("primary", Bool), ("properties", Obj(("primary", Bool), ("deleteOption", OneOf("Delete", "Detach"))))))));

    private static readonly JsonShape SecurityProfile = Obj(
        ("securityType", OneOf("TrustedLaunch", "ConfidentialVM")), ("encryptionAtHost", Bool),
        ("uefiSettings", Obj(("secureBootEnabled", Bool), ("vTpmEnabled", Bool))));

    private static readonly (string Name, JsonShape Shape)[] Properties =
    [
        ("osProfile", OsProfile), ("networkProfile", NetworkProfile), ("securityProfile", SecurityProfile),
        ("diagnosticsProfile", Obj(("bootDiagnostics", Obj(("enabled", Bool), ("storageUri", Str))))),
        ("additionalCapabilities", Obj(("ultraSSDEnabled", Bool), ("hibernationEnabled", Bool))),
        ("billingProfile", Obj(("maxPrice", Num))),
        ("licenseType", OneOf("Windows_Server", "Windows_Client", "RHEL_BYOS", "SLES_BYOS", "UBUNTU_PRO", "None")),
        ("priority", OneOf("Regular", "Low", "Spot")), ("evictionPolicy", OneOf("Deallocate", "Delete")),
    ];

    private static readonly JsonShape ImageReference = Obj(
        ("publisher", Str), ("offer", Str), ("sku", Str), ("version", Str), ("exactVersion", Str), ("id", Str),
        ("sharedGalleryImageId", Str), ("communityGalleryImageId", Str));

    private static readonly JsonShape Plan = Obj(("name", Str), ("publisher", Str), ("product", Str), ("promotionCode", Str));

    private static readonly JsonShape Identity = Obj(
        ("type", OneOf("SystemAssigned", "UserAssigned", "SystemAssigned, UserAssigned", "None")), ("principalId", Str), ("tenantId", Str),
        ("userAssignedIdentities", Any));

    public JsonObject Root { get; }

    private VmSpec(JsonObject root) => Root = root;

    public JsonObject PropertyMembers => Root["properties"] as JsonObject ?? [];
    public JsonNode? ImageReferenceNode => Root["imageReference"];
    public JsonNode? Zones => Root["zones"];
    public JsonNode? IdentityNode => Root["identity"];
    public JsonNode? PlanNode => Root["plan"];

    public static VmSpec Parse(string? json) => new(json is null ? [] : JsonNode.Parse(json) as JsonObject ?? []);

    public string ToJson() => Root.ToJsonString();

    /// <summary>The spec of a PUT; <paramref name="previous"/> keeps the identity's generated ids stable across PUTs.</summary>
    public static VmSpec FromRequest(VirtualMachineRequest body, VmSpec? previous)
    {
        var p = body.Properties!;
        foreach (var node in new[] { p.OsProfile, p.NetworkProfile, p.SecurityProfile, p.DiagnosticsProfile, p.AdditionalCapabilities, p.BillingProfile,
                     p.LicenseType, p.Priority, p.EvictionPolicy, p.StorageProfile?.ImageReference, body.Zones, body.Identity, body.Plan })
            JsonShape.RequireReadable(node);
        var members = new (string Name, JsonNode? Value)[]
        {
            ("osProfile", p.OsProfile), ("networkProfile", p.NetworkProfile), ("securityProfile", p.SecurityProfile),
            ("diagnosticsProfile", p.DiagnosticsProfile), ("additionalCapabilities", p.AdditionalCapabilities), ("billingProfile", p.BillingProfile),
            ("licenseType", p.LicenseType), ("priority", p.Priority), ("evictionPolicy", p.EvictionPolicy),
        };
        var properties = new JsonObject();
        foreach (var (name, value) in members)
        {
            if (value is null) continue;
            Properties.Single(m => m.Name == name).Shape.Check(value, $"properties.{name}");
            properties[name] = value.DeepClone();
        }
        if (properties["evictionPolicy"] is not null && properties["priority"]?.GetValue<string>() is not ("Spot" or "Low" or "spot" or "low"))
            throw ArmException.BadRequest("'properties.evictionPolicy' applies to Spot (or Low) priority VMs only.", "InvalidParameter");
        if (properties["osProfile"] is JsonObject os)
        {
            // Azure takes these two and never returns them.
            os.Remove("adminPassword");
            os.Remove("customData");
            os["secrets"] ??= new JsonArray();
            os["allowExtensionOperations"] ??= true;
        }

        var root = new JsonObject { ["properties"] = properties };
        ImageReference.Check(body.Properties!.StorageProfile?.ImageReference, "properties.storageProfile.imageReference");
        if (body.Properties.StorageProfile?.ImageReference is { } image) root["imageReference"] = image.DeepClone();
        ArrayOf(OneOf("1", "2", "3"), max: 1).Check(body.Zones, "zones");
        if (body.Zones is JsonArray { Count: > 0 } zones) root["zones"] = zones.DeepClone();
        Plan.Check(body.Plan, "plan");
        if (body.Plan is not null) root["plan"] = body.Plan.DeepClone();
        Identity.Check(body.Identity, "identity");
        if (body.Identity is JsonObject identity && ManagedIdentity(identity, previous?.IdentityNode as JsonObject) is { } kept) root["identity"] = kept;
        return new VmSpec(root);
    }

    /// <summary>
    /// The identity as Azure answers it: a system-assigned one gets a principalId and the tenant (kept across PUTs),
    /// each user-assigned identity (an id of Microsoft.ManagedIdentity/userAssignedIdentities) a principalId and clientId.
    /// </summary>
    private static JsonObject? ManagedIdentity(JsonObject identity, JsonObject? previous)
    {
        var type = identity["type"]?.GetValue<string>() ?? throw ArmException.BadRequest("'identity.type' is required.", "InvalidParameter");
        if (type.Equals("None", StringComparison.OrdinalIgnoreCase)) return null;
        var result = new JsonObject { ["type"] = type };
        if (type.StartsWith("SystemAssigned", StringComparison.OrdinalIgnoreCase))
        {
            result["principalId"] = previous?["principalId"]?.GetValue<string>() ?? Guid.NewGuid().ToString();
            result["tenantId"] = TenantId;
        }
        var users = identity["userAssignedIdentities"];
        if (type.Contains("UserAssigned", StringComparison.OrdinalIgnoreCase))
        {
            if (users is not JsonObject { Count: > 0 } map)
                throw ArmException.BadRequest("'identity.userAssignedIdentities' must name at least one identity when identity.type includes UserAssigned.", "InvalidParameter");
            var kept = new JsonObject();
            foreach (var (id, _) in map)
            {
                if (ArmResourceIds.Parse(id, "Microsoft.ManagedIdentity/userAssignedIdentities") is null)
                    throw ArmException.BadRequest($"'identity.userAssignedIdentities' key '{id}' is not a Microsoft.ManagedIdentity/userAssignedIdentities resource id.", "InvalidParameter");
                var before = previous?["userAssignedIdentities"]?[id];
                kept[id] = new JsonObject
                {
                    ["principalId"] = before?["principalId"]?.GetValue<string>() ?? Guid.NewGuid().ToString(),
                    ["clientId"] = before?["clientId"]?.GetValue<string>() ?? Guid.NewGuid().ToString(),
                };
            }
            result["userAssignedIdentities"] = kept;
        }
        else if (users is not null)
            throw ArmException.BadRequest("'identity.userAssignedIdentities' is only allowed when identity.type includes UserAssigned.", "InvalidParameter");
        return result;
    }

    /// <summary>The NIC references of the networkProfile: id, whether primary, and the deleteOption.</summary>
    public IReadOnlyList<(string Id, bool Primary, string DeleteOption)> NetworkInterfaces() =>
        (PropertyMembers["networkProfile"]?["networkInterfaces"] as JsonArray ?? [])
        .Select(n => (n!["id"]?.GetValue<string>() ?? "",
            (n["properties"]?["primary"] ?? n["primary"])?.GetValue<bool>() ?? false,
            n["properties"]?["deleteOption"]?.GetValue<string>() ?? "Detach"))
        .ToList();

}
