using System.Text.RegularExpressions;
using BackupControlPlane.Api.Arm;

namespace BackupControlPlane.Api.Features.ResourceGroups;

/// <summary>
/// ARM's <c>$filter</c> on the Microsoft.Resources lists, as the az CLI and the SDKs write it: clauses joined by
/// <c>and</c>, each <c>resourceType|name|location|resourceGroup|tagName|tagValue eq '…'</c> or <c>substringof('…', name)</c>
/// (resource groups: the tag clauses only). A clause outside that is refused with ARM's
/// <c>InvalidFilterInQueryString</c>, naming it, never ignored (a wider list than asked for breaks clients).
/// </summary>
public sealed partial record ResourceFilter(string? ResourceType, string? Name, string? NameContains, string? Location, string? ResourceGroup, string? TagName, string? TagValue)
{
    public static readonly ResourceFilter None = new(null, null, null, null, null, null, null);

    public static ResourceFilter Parse(string? filter, bool tagsOnly)
    {
        if (string.IsNullOrWhiteSpace(filter)) return None;
        var result = None;
        var at = 0;
        while (at < filter.Length)
        {
            var m = Clause().Match(filter, at);
            if (!m.Success) throw Invalid(filter, filter[at..].Trim());
            var value = (m.Groups["value"].Success ? m.Groups["value"].Value : m.Groups["contains"].Value).Replace("''", "'");
            var field = m.Groups["field"].Success ? m.Groups["field"].Value.ToLowerInvariant() : "substringof";
            if (tagsOnly && field is not ("tagname" or "tagvalue")) throw Invalid(filter, m.Value.Trim(), "resource groups are filtered by tagName and tagValue only");
            result = field switch
            {
                "resourcetype" when result.ResourceType is null => result with { ResourceType = value },
                "name" when result.Name is null => result with { Name = value },
                "substringof" when result.NameContains is null => result with { NameContains = value },
                "location" when result.Location is null => result with { Location = value },
                "resourcegroup" when result.ResourceGroup is null => result with { ResourceGroup = value },
                "tagname" when result.TagName is null => result with { TagName = value },
                "tagvalue" when result.TagValue is null => result with { TagValue = value },
                _ => throw Invalid(filter, m.Value.Trim(), "each field may appear once"),
            };
            at = m.Index + m.Length;
        }
        if (result.TagValue is not null && result.TagName is null) throw Invalid(filter, "tagValue eq '" + result.TagValue + "'", "tagValue needs a tagName");
        return result;
    }

    public bool Matches(GenericResource r) =>
        (ResourceType is null || r.Type.Equals(ResourceType, StringComparison.OrdinalIgnoreCase))
        && (Name is null || r.Name.Equals(Name, StringComparison.OrdinalIgnoreCase))
        && (NameContains is null || r.Name.Contains(NameContains, StringComparison.OrdinalIgnoreCase))
        && (Location is null || r.Location.Replace(" ", "").Equals(Location.Replace(" ", ""), StringComparison.OrdinalIgnoreCase))
        && (ResourceGroup is null || r.Id.Split('/') is [_, _, _, _, var rg, ..] && rg.Equals(ResourceGroup, StringComparison.OrdinalIgnoreCase))
        && (TagName is null || r.Tags?.FirstOrDefault(t => t.Key.Equals(TagName, StringComparison.OrdinalIgnoreCase)) is { Key: not null } tag
            && (TagValue is null || tag.Value == TagValue));

    private static ArmException Invalid(string filter, string clause, string? why = null) => ArmException.BadRequest(
        $"Invalid $filter '{Cut(filter)}' specified in the query string: the clause '{Cut(clause)}' is not supported" + (why is null ? "." : $" ({why})."),
        "InvalidFilterInQueryString");

    private static string Cut(string s) => s.Length > 200 ? s[..200] + "…" : s;

    [GeneratedRegex(@"\G\s*(?:(?<field>resourceType|name|location|resourceGroup|tagName|tagValue)\s+eq\s+'(?<value>(?:[^']|'')*)'|substringof\(\s*'(?<contains>(?:[^']|'')*)'\s*,\s*name\s*\))\s*(?:\band\b\s*(?=\S)|$)",
        RegexOptions.IgnoreCase)]
    private static partial Regex Clause();
}
