using System.ComponentModel.DataAnnotations;

namespace BackupControlPlane.Api.Infrastructure;

public sealed class EmulatorOptions
{
    public const string Section = "Emulator";

    /// <summary>The subscription listed at GET /subscriptions. Any other subscription id is accepted on first use too.</summary>
    [Required] public string DefaultSubscriptionId { get; set; } = "00000000-0000-0000-0000-000000000001";
    [Required] public string TenantId { get; set; } = "00000000-0000-0000-0000-0000000000aa";
    /// <summary>Where the SQLite files, Azurite's data and keys live; relative paths start at the content root.</summary>
    [Required] public string DataDirectory { get; set; } = ".data";
    /// <summary>Data in a new temporary folder, removed at exit, instead of DataDirectory (<c>--ephemeral</c>; Infrastructure/EphemeralData).</summary>
    public bool Ephemeral { get; set; }
    /// <summary>Time of day (UTC) of DefaultPolicy's daily run, as "HH:mm"; Azure picks one per vault.</summary>
    [Required, RegularExpression(@"^([01]\d|2[0-3]):(00|30)$")] public string DefaultPolicyRunTime { get; set; } = "19:00";
    /// <summary>How long an agent has to finish a snapshot task before its job fails.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")] public TimeSpan AgentTaskTimeout { get; set; } = TimeSpan.FromMinutes(10);
    /// <summary>How long a delivered task stays the agent's to acknowledge ("transitioning") before it is offered again.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")] public TimeSpan AgentTaskLease { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary>
    /// How long after its last request an agent still counts as Ready; a backup of a VM whose agent is not Ready fails at
    /// once. Empty: twice the long-poll hold plus 30 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")] public TimeSpan? AgentReadyWindow { get; set; }
    /// <summary>How long the goal-state long-poll holds a request when nothing changes.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")] public TimeSpan GoalStateLongPoll { get; set; } = TimeSpan.FromSeconds(25);
    /// <summary>The base URL clients reach the service at, for absolute polling URLs behind a proxy; the request's own when empty.</summary>
    public string? PublicBaseUrl { get; set; }
    /// <summary>Accept only the api-versions real clients are known to send, instead of any dated version in range.</summary>
    public bool StrictApiVersions { get; set; }
    /// <summary>
    /// A new vault's soft-delete retention: 14 to 180 days (Azure's range; a vault's own setting changes it), or 0 for new
    /// vaults with soft delete off. Anything else is refused on start rather than turned into 14.
    /// </summary>
    [SoftDeleteDays] public int SoftDeleteRetentionDays { get; set; } = 14;
    /// <summary>How long run-due waits for the slot jobs it started before answering 202 instead of the job list.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")] public TimeSpan RunDueWait { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>Items per page of ARM lists; the rest follows through nextLink.</summary>
    [Range(1, 1000)] public int PageSize { get; set; } = 200;
    /// <summary>
    /// How long a finished job stays listed (Azure keeps backup job history for a limited time; its clients ask for 30
    /// days at most per query). Running jobs, the job that made a recovery point and an item's latest settled backup are
    /// kept whatever their age.
    /// </summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "365.00:00:00")] public TimeSpan JobHistoryRetention { get; set; } = TimeSpan.FromDays(30);
    /// <summary>How long a finished long-running operation answers at its polling URLs; clients poll within seconds.</summary>
    [Range(typeof(TimeSpan), "01:00:00", "30.00:00:00")] public TimeSpan OperationRetention { get; set; } = TimeSpan.FromDays(1);
    /// <summary>How long a finished agent task is kept (a late report still finds it); unfinished ones are never pruned.</summary>
    [Range(typeof(TimeSpan), "01:00:00", "30.00:00:00")] public TimeSpan AgentTaskRetention { get; set; } = TimeSpan.FromDays(1);
    /// <summary>
    /// The region of a storage account never PUT (named by a GET) in a subscription that has no vault or VM to take the
    /// region from.
    /// </summary>
    [Required, RegularExpression("^[a-z0-9]+$")] public string DefaultLocation { get; set; } = "eastus";
    /// <summary>How long an agent credential lives before the agent must register again.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")] public TimeSpan AgentCredentialLifetime { get; set; } = TimeSpan.FromHours(1);
    /// <summary>Secret from which per-VM agent credentials are derived; generated into the data folder when empty.</summary>
    public string? AgentKeySecret { get; set; }
    /// <summary>
    /// Let non-local callers use the emulator control routes (/emulator/...) and the Hangfire dashboard: in containers
    /// the agents and the user are never loopback. Off: those hand out agent secrets and run jobs, so only this machine
    /// may call them.
    /// </summary>
    public bool AllowRemoteControl { get; set; }
    /// <summary>
    /// Cross-region restore: how long after its vault copy a recovery point appears in the vault's paired secondary region
    /// (Azure: up to 12 hours), measured on the emulated clock.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "2.00:00:00")] public TimeSpan CrossRegionReplicationDelay { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary>How long a file-recovery session (provisionInstantItemRecovery) stays open: 12 hours in Azure.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")] public TimeSpan FileRecoverySessionLifetime { get; set; } = TimeSpan.FromHours(12);
}

public sealed class StorageOptions
{
    public const string Section = "Storage";
    public const string AzuriteConnectionString =
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;";

    /// <summary>Azurite by default; any Azure Storage account connection string with an account key works.</summary>
    [Required] public string ConnectionString { get; set; } = AzuriteConnectionString;
    /// <summary>Start Azurite (installing it with npm first if needed) when the blob endpoint does not answer.</summary>
    public bool StartAzurite { get; set; } = true;
    /// <summary>Folder holding the pinned Azurite package.json; found by walking up from the app when empty.</summary>
    public string? AzuriteDirectory { get; set; }
    /// <summary>Lifetime of the SAS URIs handed to agents: long enough for one snapshot, short enough to be useless later.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")] public TimeSpan SasLifetime { get; set; } = TimeSpan.FromMinutes(30);
    /// <summary>Bytes actually allocated per emulated disk blob; the declared diskSizeGB is kept as metadata.</summary>
    [Range(4096, 64 * 1024 * 1024)] public int EmulatedDiskBytes { get; set; } = 1024 * 1024;
}

public sealed class HangfireOptions
{
    public const string Section = "Hangfire";
    [Range(1, 64)] public int WorkerCount { get; set; } = 4;
    /// <summary>Hangfire's SQLite storage polls its queue; its 15 s default would make every backup start late.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")] public TimeSpan QueuePollInterval { get; set; } = TimeSpan.FromMilliseconds(200);
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00")] public TimeSpan SchedulePollingInterval { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>
    /// PostgreSQL only: how long a job fetched by a node that stopped heartbeating stays invisible before another node
    /// takes it over. Sliding (renewed while the job runs), so it bounds failover time, not job length.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:05", "01:00:00")] public TimeSpan InvisibilityTimeout { get; set; } = TimeSpan.FromMinutes(5);
}

public enum DatabaseProvider { Sqlite, PostgreSql }

public sealed class DatabaseOptions
{
    public const string Section = "Database";
    /// <summary>
    /// Sqlite (embedded, one node) or PostgreSql (state and Hangfire jobs; several nodes may share it). PostgreSql needs
    /// ConnectionStrings:Default (and takes ConnectionStrings:Hangfire for the jobs when set, else the same database).
    /// </summary>
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;
    /// <summary>
    /// PostgreSql: the EF Core connections this node opens at once; more wait their turn without a deadline
    /// (Data/PostgreSqlConnectionGate.cs). Must stay below the connection string's Maximum Pool Size (Npgsql: 100): the
    /// pool keeps room for the migrator and the cache's snapshot checks.
    /// </summary>
    [Range(1, 1000)] public int MaxConcurrentConnections { get; set; } = 32;
}

public sealed class DemoFleetOptions
{
    public const string Section = "DemoFleet";
    /// <summary>Run a guest agent for every emulated VM inside the service process (over HTTP, like any agent).</summary>
    public bool Enabled { get; set; }
    /// <summary>The base address the fleet calls; the service's own first address when empty.</summary>
    public string? ApiBaseAddress { get; set; }
    /// <summary>Each VM's extension configuration folder is DIR/RESOURCEGROUP/VMNAME (pre/post scripts); the data folder's vm-config when empty.</summary>
    public string? ConfigDirectory { get; set; }
    /// <summary>Each VM's agent key and certificate are kept in DIR/RESOURCEGROUP/VMNAME across restarts, as a VM keeps its own; the data folder's vm-keys when empty.</summary>
    public string? KeyDirectory { get; set; }
}

/// <summary>0, or Azure's 14–180 days of soft-delete retention.</summary>
public sealed class SoftDeleteDaysAttribute : ValidationAttribute
{
    public SoftDeleteDaysAttribute() : base("{0} must be 0 (soft delete off) or 14 to 180 days, Azure's range.") { }

    public override bool IsValid(object? value) => value is 0 or >= 14 and <= 180;
}
