using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Data;

/// <summary>The service's state. On SQLite this type itself; on PostgreSQL <see cref="PostgreSqlBackupDbContext"/>.</summary>
public class BackupDbContext : DbContext
{
    public BackupDbContext(DbContextOptions<BackupDbContext> options) : base(options) { }

    /// <summary>For provider-specific subclasses, which carry their own migrations.</summary>
    protected BackupDbContext(DbContextOptions options) : base(options) { }

    public DbSet<VirtualMachine> VirtualMachines => Set<VirtualMachine>();
    public DbSet<VirtualMachineDisk> VirtualMachineDisks => Set<VirtualMachineDisk>();
    public DbSet<VirtualMachineExtension> VirtualMachineExtensions => Set<VirtualMachineExtension>();
    public DbSet<Vault> Vaults => Set<Vault>();
    public DbSet<BackupPolicy> BackupPolicies => Set<BackupPolicy>();
    public DbSet<ProtectedItem> ProtectedItems => Set<ProtectedItem>();
    public DbSet<BackupJob> BackupJobs => Set<BackupJob>();
    public DbSet<AsyncOperation> AsyncOperations => Set<AsyncOperation>();
    public DbSet<AgentTask> AgentTasks => Set<AgentTask>();
    public DbSet<RecoveryPoint> RecoveryPoints => Set<RecoveryPoint>();
    public DbSet<RecoveryPointDisk> RecoveryPointDisks => Set<RecoveryPointDisk>();
    public DbSet<StorageAccount> StorageAccounts => Set<StorageAccount>();
    public DbSet<ManagedDisk> ManagedDisks => Set<ManagedDisk>();
    public DbSet<VirtualNetwork> VirtualNetworks => Set<VirtualNetwork>();
    public DbSet<Subnet> Subnets => Set<Subnet>();
    public DbSet<NetworkInterface> NetworkInterfaces => Set<NetworkInterface>();
    public DbSet<PublicIpAddress> PublicIpAddresses => Set<PublicIpAddress>();
    public DbSet<ResourceGroup> ResourceGroups => Set<ResourceGroup>();
    public DbSet<ResourceGroupDeletion> ResourceGroupDeletions => Set<ResourceGroupDeletion>();
    public DbSet<ResourceGuard> ResourceGuards => Set<ResourceGuard>();
    public DbSet<ResourceGuardProxy> ResourceGuardProxies => Set<ResourceGuardProxy>();
    public DbSet<RoleAssignment> RoleAssignments => Set<RoleAssignment>();
    public DbSet<Deployment> Deployments => Set<Deployment>();
    public DbSet<DeploymentOperation> DeploymentOperations => Set<DeploymentOperation>();

    // The turn at SQLite's single write lock this context holds, if any (SqliteWriteGate); depth counts re-entries.
    internal SqliteWriteGate.Database? WriteGate;
    internal int WriteDepth;
    // The gate interceptor among this context's options (none: no gate, as on PostgreSQL or a context built by hand).
    internal SqliteWriteGate? WriteGateOwner;
    internal bool WriteGateResolved;
    // This context's own connection, kept aside while it borrows the write connection for its turn (SqliteWriteConnection).
    internal System.Data.Common.DbConnection? KeptAside;

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        using var turn = SqliteWriteGate.Enter(this);
        BumpETags();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        using var turn = await SqliteWriteGate.EnterAsync(this, cancellationToken);
        BumpETags();
        return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    /// <summary>A transaction for work that reads and then writes: it waits for its write turn before BEGIN (see <see cref="SqliteWriteGate"/>).</summary>
    public Task<SqliteWriteGate.WriteTransaction> BeginWriteAsync(CancellationToken ct, System.Data.IsolationLevel isolation = System.Data.IsolationLevel.Unspecified) =>
        SqliteWriteGate.BeginWriteAsync(this, isolation, ct);

    // Pooled contexts outlive requests: one returned while holding its turn (a path that skipped the release) gives it back.
    public override void Dispose()
    {
        SqliteWriteGate.Release(this);
        base.Dispose();
    }

    public override ValueTask DisposeAsync()
    {
        SqliteWriteGate.Release(this);
        return base.DisposeAsync();
    }

    /// <summary>Every change of an ARM resource's row gives it a new ETag, whichever code path made the change.</summary>
    private void BumpETags()
    {
        foreach (var entry in ChangeTracker.Entries<IVersioned>())
            if (entry.State == EntityState.Modified && entry.Properties.Any(p => p.IsModified
                    && p.Metadata.PropertyInfo?.IsDefined(typeof(NotInETagAttribute), inherit: false) != true))
                entry.Entity.ETag = ETags.New();
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder builder)
    {
        // SQLite cannot order or compare DateTimeOffset natively; stored as UTC ticks they sort and compare correctly.
        builder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetTicksConverter>();
        builder.Properties<DateTimeOffset?>().HaveConversion<DateTimeOffsetTicksConverter>();
    }

    protected override void OnModelCreating(ModelBuilder b)
    {
        b.Entity<VirtualMachine>(e =>
        {
            e.HasIndex(x => x.Key).IsUnique();
            e.HasIndex(x => x.VmId).IsUnique();
            e.HasMany(x => x.Disks).WithOne().HasForeignKey(x => x.VirtualMachineId).OnDelete(DeleteBehavior.Cascade);
            e.HasMany(x => x.Extensions).WithOne(x => x.VirtualMachine).HasForeignKey(x => x.VirtualMachineId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<VirtualMachineExtension>().HasIndex(x => new { x.VirtualMachineId, x.Name }).IsUnique();
        b.Entity<Vault>(e =>
        {
            e.HasIndex(x => x.Key).IsUnique();
            e.HasMany(x => x.Policies).WithOne(x => x.Vault).HasForeignKey(x => x.VaultId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<BackupPolicy>().HasIndex(x => new { x.VaultId, x.Name }).IsUnique();
        b.Entity<StorageAccount>().HasIndex(x => x.Key).IsUnique();
        ComputeNetworkModel.Configure(b);
        GuardModel.Configure(b);
        b.Entity<ResourceGroup>().HasIndex(x => x.Key).IsUnique();
        b.Entity<ResourceGroupDeletion>().HasIndex(x => x.EndTime);
        DeploymentModel.Configure(b);
        b.Entity<ProtectedItem>(e =>
        {
            // A VM is protected by at most one vault, as in Azure.
            e.HasIndex(x => x.VirtualMachineId).IsUnique();
            e.HasIndex(x => new { x.VaultId, x.ContainerName }).IsUnique();
            e.HasIndex(x => x.PolicyId);
            e.HasOne(x => x.Policy).WithMany().HasForeignKey(x => x.PolicyId).OnDelete(DeleteBehavior.Restrict);
        });
        b.Entity<BackupJob>(e =>
        {
            e.HasIndex(x => new { x.VaultId, x.StartTime });
            e.HasIndex(x => new { x.ProtectedItemId, x.ScheduledSlotUtc }).IsUnique();
            // An item's latest settled backup (its health) and the daily pruning of finished jobs.
            e.HasIndex(x => new { x.ProtectedItemId, x.EndTime });
            e.HasIndex(x => x.EndTime);
        });
        b.Entity<AsyncOperation>().HasIndex(x => x.EndTime);
        b.Entity<AgentTask>(e =>
        {
            e.HasIndex(x => x.TaskId).IsUnique();
            // Reports, retries and the timeout watchdog race on a task: each write is guarded by the state it read.
            e.Property(x => x.State).IsConcurrencyToken();
            e.HasIndex(x => new { x.VirtualMachineId, x.State });
            e.HasIndex(x => new { x.State, x.Deadline });
            e.HasIndex(x => x.CompletedAt);
        });
        b.Entity<RecoveryPoint>(e =>
        {
            e.HasIndex(x => new { x.ProtectedItemId, x.Name }).IsUnique();
            e.HasIndex(x => x.JobId).IsUnique();
            // The item's points newest first, a page at a time.
            e.HasIndex(x => new { x.ProtectedItemId, x.RecoveryPointTime });
            e.HasMany(x => x.Disks).WithOne().HasForeignKey(x => x.RecoveryPointId).OnDelete(DeleteBehavior.Cascade);
        });
    }
}

/// <summary>
/// The same model on PostgreSQL. A type of its own only so that EF Core keeps a second set of migrations
/// (Data/Migrations/PostgreSql) apart from SQLite's: migrations belong to a context type.
/// </summary>
public sealed class PostgreSqlBackupDbContext(DbContextOptions<PostgreSqlBackupDbContext> options) : BackupDbContext(options);

internal sealed class DateTimeOffsetTicksConverter() : Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter<DateTimeOffset, long>(
    v => v.UtcTicks,
    v => new DateTimeOffset(v, TimeSpan.Zero));
