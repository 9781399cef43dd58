using System.Text.Json;

namespace BackupControlPlane.Api.Arm;

/// <summary>
/// The members of a request body a resource does not keep (collected with <c>[JsonExtensionData]</c>): each is refused
/// by its path with 400, never dropped silently. Read-only members a client sends back from a GET are named in
/// <c>ignored</c>, as Azure ignores them.
/// </summary>
public static class UnknownMembers
{
    public static void Refuse(string resource, string prefix, Dictionary<string, JsonElement>? other, params string[] ignored)
    {
        if (other?.Keys.Where(k => !ignored.Contains(k, StringComparer.OrdinalIgnoreCase)).Order().ToList() is { Count: > 0 } unknown)
            throw ArmException.BadRequest(
                $"The emulator does not emulate {string.Join(", ", unknown.Select(k => $"'{prefix}{(k.Length > 60 ? k[..60] + "…" : k)}'"))} of a {resource}; leave it out.",
                ArmErrorCodes.InvalidRequestContent);
    }
}
