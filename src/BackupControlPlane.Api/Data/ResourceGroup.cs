namespace BackupControlPlane.Api.Data;

/// <summary>
/// A resource group (Microsoft.Resources/resourceGroups). Created by a PUT, or implicitly by the first resource PUT
/// into it (<see cref="ImplicitResourceGroups"/>), in that resource's region.
/// </summary>
public sealed class ResourceGroup
{
    public long Id { get; set; }
    public required string SubscriptionId { get; set; }
    /// <summary>The name as the client first spelled it (ARM names are case-insensitive but echoed as created).</summary>
    public required string Name { get; set; }
    /// <summary>Lowercased "{subscription}/{group}/": every resource key of the group starts with it.</summary>
    public required string Key { get; set; }
    public required string Location { get; set; }
    public string? ManagedBy { get; set; }
    /// <summary>The tags as a JSON object of strings.</summary>
    public string? TagsJson { get; set; }
    /// <summary>The tags again, searchable by <c>$filter</c> in the database: see <see cref="ResourceGroupTags"/>.</summary>
    public string? TagIndex { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    public static string KeyOf(string subscriptionId, string name) => $"{subscriptionId}/{name}/".ToLowerInvariant();
}

/// <summary>
/// The tag index of a group: each tag as <c>US name RS value US</c> (unit/record separators, which tags never hold),
/// the name lowercased, so "tagName eq 'k'" and "tagName eq 'k' and tagValue eq 'v'" are one substring test that
/// SQLite and PostgreSQL both run case-sensitively (names match case-insensitively, as in ARM; values exactly).
/// </summary>
public static class ResourceGroupTags
{
    private const char Unit = '\u001f';
    private const char Record = '\u001e';

    public static string? Index(IReadOnlyDictionary<string, string>? tags) =>
        tags is null || tags.Count == 0 ? null : Unit + string.Concat(tags.Select(t => t.Key.ToLowerInvariant() + Record + t.Value + Unit));

    public static string NameProbe(string name) => Unit + name.ToLowerInvariant() + Record;

    public static string PairProbe(string name, string value) => NameProbe(name) + value + Unit;
}
