namespace BackupControlPlane.Api.Data;

/// <summary>
/// The long-running operation of a resource group DELETE, answered at <c>/subscriptions/{sub}/operationresults/{id}</c>
/// after the group itself is gone. Failed deletions keep the error the client is shown.
/// </summary>
public sealed class ResourceGroupDeletion
{
    public Guid Id { get; set; }
    public required string SubscriptionId { get; set; }
    public required string ResourceGroup { get; set; }
    public required string Status { get; set; }
    public DateTimeOffset StartTime { get; set; }
    public DateTimeOffset? EndTime { get; set; }
    /// <summary>Of a failed deletion: the HTTP status and ARM's error (JSON of the error body, details included).</summary>
    public int? ErrorStatus { get; set; }
    public string? ErrorJson { get; set; }
}
