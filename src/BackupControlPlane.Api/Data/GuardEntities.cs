using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Data;

/// <summary>A Resource Guard (<c>Microsoft.DataProtection/resourceGuards</c>): the critical operations it protects are all but its exclusion list.</summary>
public sealed class ResourceGuard : IVersioned
{
    public long Id { get; set; }
    public string ETag { get; set; } = ETags.New();
    public required string SubscriptionId { get; set; }
    public required string ResourceGroup { get; set; }
    public required string Name { get; set; }
    public required string Key { get; set; }
    public required string Location { get; set; }
    public string? TagsJson { get; set; }
    public string? Description { get; set; }
    /// <summary>properties.vaultCriticalOperationExclusionList as a JSON array of strings.</summary>
    public string ExclusionListJson { get; set; } = "[]";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ModifiedAt { get; set; }
}

/// <summary>
/// A vault's Resource Guard mapping (<c>backupResourceGuardProxies/VaultProxy</c>), and the one critical delete an
/// <c>unlockDelete</c> allowed until <see cref="UnlockExpiresAt"/>.
/// </summary>
public sealed class ResourceGuardProxy
{
    public long Id { get; set; }
    public long VaultId { get; set; }
    public Vault? Vault { get; set; }
    public required string Name { get; set; }
    public required string ResourceGuardResourceId { get; set; }
    public string? Description { get; set; }
    public DateTimeOffset LastUpdatedTime { get; set; }
    /// <summary>The guard request types (JSON array) the last unlockDelete named.</summary>
    public string? UnlockedRequestsJson { get; set; }
    /// <summary>resourceToBeDeleted of the last unlockDelete, when it named one.</summary>
    public string? UnlockedResource { get; set; }
    public DateTimeOffset? UnlockExpiresAt { get; set; }
}

/// <summary>An Azure RBAC role assignment (<c>Microsoft.Authorization/roleAssignments</c>) at a subscription, group or resource scope.</summary>
public sealed class RoleAssignment
{
    public long Id { get; set; }
    /// <summary>The assignment's name: a GUID, unique across scopes as in Azure.</summary>
    public required string Name { get; set; }
    /// <summary>The scope as the client wrote it (its id is "{scope}/providers/Microsoft.Authorization/roleAssignments/{name}").</summary>
    public required string Scope { get; set; }
    /// <summary>The scope lowercased, without a trailing slash: what inheritance compares.</summary>
    public required string ScopeKey { get; set; }
    /// <summary>The role definition's GUID.</summary>
    public required string RoleDefinitionName { get; set; }
    public Guid PrincipalId { get; set; }
    public required string PrincipalType { get; set; }
    public string? Description { get; set; }
    public Guid CreatedBy { get; set; }
    public DateTimeOffset CreatedOn { get; set; }
}

internal static class GuardModel
{
    public static void Configure(ModelBuilder b)
    {
        b.Entity<ResourceGuard>().HasIndex(x => x.Key).IsUnique();
        // A vault's mappings go with it.
        b.Entity<ResourceGuardProxy>(e =>
        {
            e.HasIndex(x => new { x.VaultId, x.Name }).IsUnique();
            e.HasIndex(x => x.ResourceGuardResourceId);
            e.HasOne(x => x.Vault).WithMany().HasForeignKey(x => x.VaultId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<RoleAssignment>(e =>
        {
            e.HasIndex(x => x.Name).IsUnique();
            e.HasIndex(x => new { x.PrincipalId, x.ScopeKey });
            e.HasIndex(x => x.ScopeKey);
        });
    }
}
