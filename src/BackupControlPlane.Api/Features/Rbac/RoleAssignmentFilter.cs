using System.Text.RegularExpressions;
using BackupControlPlane.Api.Arm;

namespace BackupControlPlane.Api.Features.Rbac;

/// <summary>The <c>$filter</c> of a role assignment list: <c>atScope()</c>, <c>principalId eq '{id}'</c>, <c>assignedTo('{id}')</c>, joined by <c>and</c>.</summary>
public static partial class RoleAssignmentFilter
{
    [GeneratedRegex(@"^(?:principalId\s+eq\s+'([^']*)'|assignedTo\('([^']*)'\))$", RegexOptions.IgnoreCase)]
    private static partial Regex Principal();

    [GeneratedRegex(@"\s+and\s+", RegexOptions.IgnoreCase)]
    private static partial Regex And();

    public static (bool AtScope, Guid? Principal) Parse(string? filter)
    {
        var atScope = false;
        Guid? principal = null;
        if (string.IsNullOrWhiteSpace(filter)) return (atScope, principal);
        foreach (var term in And().Split(filter.Trim()))
        {
            if (term.Trim().Equals("atScope()", StringComparison.OrdinalIgnoreCase)) atScope = true;
            else if (Principal().Match(term.Trim()) is { Success: true } m && Guid.TryParse(m.Groups[1].Success && m.Groups[1].Length > 0 ? m.Groups[1].Value : m.Groups[2].Value, out var id))
                principal = id;
            else
                throw ArmException.BadRequest($"The $filter term '{term}' is not supported: use atScope(), principalId eq '{{objectId}}' or assignedTo('{{objectId}}'), joined by 'and'.", "InvalidFilterInQueryString");
        }
        return (atScope, principal);
    }
}
