using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Data;

/// <summary>
/// The emulator accepts any resource group on first use: the first resource PUT into a group that does not exist
/// creates the group, in that resource's region, so it shows in <c>az group list/show</c> like one created by a PUT.
/// One statement that inserts or does nothing (SQLite and PostgreSQL both have <c>ON CONFLICT DO NOTHING</c>): two
/// first PUTs racing into one new group never fail each other, and it joins the caller's transaction when there is one.
/// </summary>
public static class ImplicitResourceGroups
{
    public static Task EnsureAsync(BackupDbContext db, string subscriptionId, string resourceGroup, string location, DateTimeOffset now, CancellationToken ct)
    {
        var key = ResourceGroup.KeyOf(subscriptionId, resourceGroup);
        var ticks = now.UtcTicks; // DateTimeOffsets are stored as UTC ticks (BackupDbContext.ConfigureConventions)
        return db.Database.ExecuteSqlInterpolatedAsync(
            $"""INSERT INTO "ResourceGroups" ("SubscriptionId", "Name", "Key", "Location", "CreatedAt") VALUES ({subscriptionId}, {resourceGroup}, {key}, {Region(location)}, {ticks}) ON CONFLICT ("Key") DO NOTHING""", ct);
    }

    /// <summary>ARM's normalised region name ("East US" → "eastus").</summary>
    public static string Region(string location) => location.Replace(" ", "").ToLowerInvariant();

    /// <summary>
    /// The migration that brought resource groups in (both providers) gives every group already in use its row, in the
    /// region of its first resource, as if it had been created implicitly. (SQLite wants a WHERE before ON CONFLICT;
    /// the closing semicolon lets the migrations' script, Data/Migrations/FreshDatabase.sql, run as one.)
    /// </summary>
    public const string BackfillSql = """
        INSERT INTO "ResourceGroups" ("SubscriptionId", "Name", "Key", "Location", "CreatedAt")
        SELECT "SubscriptionId", "ResourceGroup", lower("SubscriptionId" || '/' || "ResourceGroup" || '/'), lower(replace("Location", ' ', '')), "CreatedAt"
        FROM (SELECT "SubscriptionId", "ResourceGroup", "Location", "CreatedAt" FROM "VirtualMachines"
              UNION ALL SELECT "SubscriptionId", "ResourceGroup", "Location", "CreatedAt" FROM "Vaults"
              UNION ALL SELECT "SubscriptionId", "ResourceGroup", "Location", "CreatedAt" FROM "StorageAccounts") AS used
        WHERE 1 = 1
        ORDER BY "CreatedAt"
        ON CONFLICT ("Key") DO NOTHING;
        """;
}
