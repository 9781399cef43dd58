namespace BackupControlPlane.Api.Features.Rbac;

/// <summary>
/// The ARM action of a request, derived as ARM derives it: the resource type chain after the last <c>providers/{namespace}</c>
/// (Microsoft.Resources' own chain for <c>/subscriptions/{s}/resourceGroups/{rg}</c>), then <c>read</c>, <c>write</c>
/// or <c>delete</c> by method, and for POST the trailing name with <c>/action</c>. For example
/// POST …/protectedItems/{i}/backup → <c>Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems/backup/action</c>.
/// </summary>
public static class ArmActions
{
    public static string For(string method, string path)
    {
        var segments = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        var providers = Array.FindLastIndex(segments, s => s.Equals("providers", StringComparison.OrdinalIgnoreCase));
        string ns;
        string[] rest;
        if (providers >= 0 && providers + 1 < segments.Length)
        {
            ns = segments[providers + 1];
            rest = segments[(providers + 2)..];
            // GET /subscriptions/{s}/providers/{namespace}: the provider's registration, a Microsoft.Resources read.
            if (rest.Length == 0) return "Microsoft.Resources/subscriptions/providers/read";
        }
        else
        {
            ns = "Microsoft.Resources";
            rest = segments;
        }
        var types = rest.Where((_, i) => i % 2 == 0).ToList();
        var verb = method.ToUpperInvariant() switch
        {
            "GET" or "HEAD" => "read",
            "PUT" or "PATCH" => "write",
            "DELETE" => "delete",
            _ => "action",
        };
        return $"{ns}/{string.Join('/', types)}/{verb}";
    }
}
