namespace BackupControlPlane.Api.Arm;

/// <summary>
/// The ARM resources one slice owns, as Microsoft.Resources sees them: listed as generic resources
/// (<c>GET …/resources</c>) and deleted with their resource group. Each slice that owns resources registers one
/// implementation (<c>services.AddScoped&lt;IGroupResources, …&gt;()</c>); the ResourceGroups slice iterates over all
/// of them and references no slice. Implementations work on the request's scoped <c>BackupDbContext</c>.
/// A group DELETE first asks every implementation for a refusal; only when none refuses does it stage every
/// implementation's removal and commit them in one transaction, then run the clean-ups (blobs) each returned.
/// </summary>
public interface IGroupResources
{
    /// <summary>The slice's resources in the subscription, or only in <paramref name="resourceGroup"/> when given.</summary>
    Task<IReadOnlyList<GenericResource>> ListAsync(string subscriptionId, string? resourceGroup, CancellationToken ct);

    /// <summary>
    /// Why the slice's resources in the group cannot be deleted, as Azure's error of the resource that refuses (its id as
    /// the target), or null. Changes nothing.
    /// </summary>
    Task<ArmErrorBody?> DeletionRefusalAsync(string subscriptionId, string resourceGroup, CancellationToken ct);

    /// <summary>
    /// Stages the removal of the slice's resources in the group on the shared context (the caller saves and commits),
    /// and returns what to clean up outside the database once committed (blobs), or null.
    /// </summary>
    Task<Func<CancellationToken, Task>?> RemoveAsync(string subscriptionId, string resourceGroup, CancellationToken ct);
}

/// <summary>
/// ARM's GenericResource(Expanded): what <c>az resource list</c> shows of any resource. The times are shown when the
/// client asks with <c>$expand=createdTime,changedTime</c> (the az CLI always does); a resource whose changes are not
/// timed gives its creation time as changedTime.
/// </summary>
public sealed record GenericResource(string Id, string Name, string Type, string Location,
    IReadOnlyDictionary<string, string>? Tags = null, string? Kind = null, GenericSku? Sku = null, string? ManagedBy = null,
    DateTimeOffset? CreatedTime = null, DateTimeOffset? ChangedTime = null, string? ProvisioningState = null)
{
    /// <summary>Tags as the rows keep them (a JSON object of strings, or null).</summary>
    public static IReadOnlyDictionary<string, string>? TagsOf(string? json) =>
        json is null ? null : System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(json);

    /// <summary>The key prefix of a subscription's resources, or of one group's (keys are "{sub}/{group}/{name}", lowercased).</summary>
    public static string KeyPrefix(string subscriptionId, string? resourceGroup) =>
        (resourceGroup is null ? $"{subscriptionId}/" : $"{subscriptionId}/{resourceGroup}/").ToLowerInvariant();
}

public sealed record GenericSku(string Name, string? Tier = null);
