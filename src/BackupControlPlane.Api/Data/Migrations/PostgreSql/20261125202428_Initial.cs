using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace BackupControlPlane.Api.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "AsyncOperations",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    VaultId = table.Column<long>(type: "bigint", nullable: false),
                    JobId = table.Column<Guid>(type: "uuid", nullable: true),
                    Status = table.Column<string>(type: "text", nullable: false),
                    StartTime = table.Column<long>(type: "bigint", nullable: false),
                    EndTime = table.Column<long>(type: "bigint", nullable: true),
                    ErrorCode = table.Column<string>(type: "text", nullable: true),
                    ErrorMessage = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AsyncOperations", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "BackupJobs",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    VaultId = table.Column<long>(type: "bigint", nullable: false),
                    ProtectedItemId = table.Column<long>(type: "bigint", nullable: true),
                    EntityFriendlyName = table.Column<string>(type: "text", nullable: false),
                    Operation = table.Column<string>(type: "text", nullable: false),
                    Status = table.Column<string>(type: "text", nullable: false),
                    StartTime = table.Column<long>(type: "bigint", nullable: false),
                    EndTime = table.Column<long>(type: "bigint", nullable: true),
                    ActivityId = table.Column<Guid>(type: "uuid", nullable: false),
                    SnapshotTaskStatus = table.Column<string>(type: "text", nullable: true),
                    SnapshotTaskStart = table.Column<long>(type: "bigint", nullable: true),
                    SnapshotTaskEnd = table.Column<long>(type: "bigint", nullable: true),
                    TransferTaskStatus = table.Column<string>(type: "text", nullable: true),
                    TransferTaskStart = table.Column<long>(type: "bigint", nullable: true),
                    TransferTaskEnd = table.Column<long>(type: "bigint", nullable: true),
                    BackupSizeBytes = table.Column<long>(type: "bigint", nullable: true),
                    ErrorCode = table.Column<string>(type: "text", nullable: true),
                    ErrorMessage = table.Column<string>(type: "text", nullable: true),
                    ScheduledSlotUtc = table.Column<long>(type: "bigint", nullable: true),
                    RecoveryPointId = table.Column<long>(type: "bigint", nullable: true),
                    PropertyBagJson = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BackupJobs", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "RecoveryPoints",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Name = table.Column<string>(type: "text", nullable: false),
                    ProtectedItemId = table.Column<long>(type: "bigint", nullable: false),
                    JobId = table.Column<Guid>(type: "uuid", nullable: false),
                    RecoveryPointTime = table.Column<long>(type: "bigint", nullable: false),
                    RecoveryPointType = table.Column<string>(type: "text", nullable: false),
                    InstantRpValid = table.Column<bool>(type: "boolean", nullable: false),
                    HardenedRpValid = table.Column<bool>(type: "boolean", nullable: false),
                    ExpiryTime = table.Column<long>(type: "bigint", nullable: true),
                    InstantRpExpiryTime = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RecoveryPoints", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Vaults",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    SubscriptionId = table.Column<string>(type: "text", nullable: false),
                    ResourceGroup = table.Column<string>(type: "text", nullable: false),
                    Name = table.Column<string>(type: "text", nullable: false),
                    Key = table.Column<string>(type: "text", nullable: false),
                    Location = table.Column<string>(type: "text", nullable: false),
                    SkuName = table.Column<string>(type: "text", nullable: false),
                    TagsJson = table.Column<string>(type: "text", nullable: true),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    ModifiedAt = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Vaults", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "VirtualMachines",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    VmId = table.Column<Guid>(type: "uuid", nullable: false),
                    SubscriptionId = table.Column<string>(type: "text", nullable: false),
                    ResourceGroup = table.Column<string>(type: "text", nullable: false),
                    Name = table.Column<string>(type: "text", nullable: false),
                    Key = table.Column<string>(type: "text", nullable: false),
                    Location = table.Column<string>(type: "text", nullable: false),
                    OsType = table.Column<string>(type: "text", nullable: false),
                    VmSize = table.Column<string>(type: "text", nullable: true),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    Incarnation = table.Column<long>(type: "bigint", nullable: false),
                    TaskSequence = table.Column<int>(type: "integer", nullable: false),
                    AgentLastSeen = table.Column<long>(type: "bigint", nullable: true),
                    AgentCertificate = table.Column<string>(type: "text", nullable: true),
                    AgentCertificateThumbprint = table.Column<string>(type: "text", nullable: true),
                    AgentRegistration = table.Column<int>(type: "integer", nullable: false),
                    AgentVersion = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_VirtualMachines", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "RecoveryPointDisks",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    RecoveryPointId = table.Column<long>(type: "bigint", nullable: false),
                    Lun = table.Column<int>(type: "integer", nullable: false),
                    SourceBlobUri = table.Column<string>(type: "text", nullable: false),
                    Snapshot = table.Column<string>(type: "text", nullable: false),
                    VaultContainer = table.Column<string>(type: "text", nullable: true),
                    VaultBlobName = table.Column<string>(type: "text", nullable: true),
                    SizeBytes = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RecoveryPointDisks", x => x.Id);
                    table.ForeignKey(
                        name: "FK_RecoveryPointDisks_RecoveryPoints_RecoveryPointId",
                        column: x => x.RecoveryPointId,
                        principalTable: "RecoveryPoints",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "BackupPolicies",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    VaultId = table.Column<long>(type: "bigint", nullable: false),
                    Name = table.Column<string>(type: "text", nullable: false),
                    ScheduleRunFrequency = table.Column<string>(type: "text", nullable: false),
                    ScheduleRunTimes = table.Column<string>(type: "text", nullable: false),
                    TimeZone = table.Column<string>(type: "text", nullable: false),
                    ScheduleRunDays = table.Column<string>(type: "text", nullable: false),
                    RetentionJson = table.Column<string>(type: "text", nullable: true),
                    DailyRetentionDays = table.Column<int>(type: "integer", nullable: false),
                    InstantRpRetentionRangeInDays = table.Column<int>(type: "integer", nullable: false),
                    NextSlotUtc = table.Column<long>(type: "bigint", nullable: true),
                    NextSlotJobId = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BackupPolicies", x => x.Id);
                    table.ForeignKey(
                        name: "FK_BackupPolicies_Vaults_VaultId",
                        column: x => x.VaultId,
                        principalTable: "Vaults",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "AgentTasks",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    TaskId = table.Column<string>(type: "text", nullable: false),
                    SequenceNumber = table.Column<int>(type: "integer", nullable: false),
                    VirtualMachineId = table.Column<long>(type: "bigint", nullable: false),
                    ProtectedItemId = table.Column<long>(type: "bigint", nullable: false),
                    JobId = table.Column<Guid>(type: "uuid", nullable: false),
                    State = table.Column<string>(type: "text", nullable: false),
                    CommandStartTime = table.Column<long>(type: "bigint", nullable: false),
                    Deadline = table.Column<long>(type: "bigint", nullable: false),
                    LogsContainer = table.Column<string>(type: "text", nullable: false),
                    DeliveredAt = table.Column<long>(type: "bigint", nullable: true),
                    CompletedAt = table.Column<long>(type: "bigint", nullable: true),
                    ExtensionCode = table.Column<int>(type: "integer", nullable: true),
                    RecoveryPointExpiry = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AgentTasks", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AgentTasks_VirtualMachines_VirtualMachineId",
                        column: x => x.VirtualMachineId,
                        principalTable: "VirtualMachines",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "VirtualMachineDisks",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    VirtualMachineId = table.Column<long>(type: "bigint", nullable: false),
                    Lun = table.Column<int>(type: "integer", nullable: false),
                    Name = table.Column<string>(type: "text", nullable: false),
                    DiskSizeGB = table.Column<int>(type: "integer", nullable: false),
                    BlobContainer = table.Column<string>(type: "text", nullable: false),
                    BlobName = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_VirtualMachineDisks", x => x.Id);
                    table.ForeignKey(
                        name: "FK_VirtualMachineDisks_VirtualMachines_VirtualMachineId",
                        column: x => x.VirtualMachineId,
                        principalTable: "VirtualMachines",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "VirtualMachineExtensions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    VirtualMachineId = table.Column<long>(type: "bigint", nullable: false),
                    Name = table.Column<string>(type: "text", nullable: false),
                    Publisher = table.Column<string>(type: "text", nullable: false),
                    Type = table.Column<string>(type: "text", nullable: false),
                    TypeHandlerVersion = table.Column<string>(type: "text", nullable: false),
                    AutoUpgradeMinorVersion = table.Column<bool>(type: "boolean", nullable: false),
                    ProvisioningState = table.Column<string>(type: "text", nullable: false),
                    PublicSettingsJson = table.Column<string>(type: "text", nullable: true),
                    SequenceNumber = table.Column<int>(type: "integer", nullable: false),
                    HandlerVersionReported = table.Column<string>(type: "text", nullable: true),
                    StatusTime = table.Column<long>(type: "bigint", nullable: true),
                    StatusMessage = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_VirtualMachineExtensions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_VirtualMachineExtensions_VirtualMachines_VirtualMachineId",
                        column: x => x.VirtualMachineId,
                        principalTable: "VirtualMachines",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ProtectedItems",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    VaultId = table.Column<long>(type: "bigint", nullable: false),
                    VirtualMachineId = table.Column<long>(type: "bigint", nullable: false),
                    PolicyId = table.Column<long>(type: "bigint", nullable: true),
                    ContainerName = table.Column<string>(type: "text", nullable: false),
                    ProtectionState = table.Column<string>(type: "text", nullable: false),
                    LastBackupStatus = table.Column<string>(type: "text", nullable: false),
                    LastBackupTime = table.Column<long>(type: "bigint", nullable: true),
                    LastRecoveryPointTime = table.Column<long>(type: "bigint", nullable: true),
                    ProtectedItemDataId = table.Column<long>(type: "bigint", nullable: false),
                    ProtectedAt = table.Column<long>(type: "bigint", nullable: false),
                    DeferredDeleteTime = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ProtectedItems", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ProtectedItems_BackupPolicies_PolicyId",
                        column: x => x.PolicyId,
                        principalTable: "BackupPolicies",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_ProtectedItems_Vaults_VaultId",
                        column: x => x.VaultId,
                        principalTable: "Vaults",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_ProtectedItems_VirtualMachines_VirtualMachineId",
                        column: x => x.VirtualMachineId,
                        principalTable: "VirtualMachines",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AgentTasks_State_Deadline",
                table: "AgentTasks",
                columns: new[] { "State", "Deadline" });

            migrationBuilder.CreateIndex(
                name: "IX_AgentTasks_TaskId",
                table: "AgentTasks",
                column: "TaskId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_AgentTasks_VirtualMachineId_State",
                table: "AgentTasks",
                columns: new[] { "VirtualMachineId", "State" });

            migrationBuilder.CreateIndex(
                name: "IX_BackupJobs_ProtectedItemId_ScheduledSlotUtc",
                table: "BackupJobs",
                columns: new[] { "ProtectedItemId", "ScheduledSlotUtc" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_BackupJobs_VaultId_StartTime",
                table: "BackupJobs",
                columns: new[] { "VaultId", "StartTime" });

            migrationBuilder.CreateIndex(
                name: "IX_BackupPolicies_VaultId_Name",
                table: "BackupPolicies",
                columns: new[] { "VaultId", "Name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ProtectedItems_PolicyId",
                table: "ProtectedItems",
                column: "PolicyId");

            migrationBuilder.CreateIndex(
                name: "IX_ProtectedItems_VaultId_ContainerName",
                table: "ProtectedItems",
                columns: new[] { "VaultId", "ContainerName" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ProtectedItems_VirtualMachineId",
                table: "ProtectedItems",
                column: "VirtualMachineId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_RecoveryPointDisks_RecoveryPointId",
                table: "RecoveryPointDisks",
                column: "RecoveryPointId");

            migrationBuilder.CreateIndex(
                name: "IX_RecoveryPoints_JobId",
                table: "RecoveryPoints",
                column: "JobId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_RecoveryPoints_ProtectedItemId_Name",
                table: "RecoveryPoints",
                columns: new[] { "ProtectedItemId", "Name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Vaults_Key",
                table: "Vaults",
                column: "Key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_VirtualMachineDisks_VirtualMachineId",
                table: "VirtualMachineDisks",
                column: "VirtualMachineId");

            migrationBuilder.CreateIndex(
                name: "IX_VirtualMachineExtensions_VirtualMachineId_Name",
                table: "VirtualMachineExtensions",
                columns: new[] { "VirtualMachineId", "Name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_VirtualMachines_Key",
                table: "VirtualMachines",
                column: "Key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_VirtualMachines_VmId",
                table: "VirtualMachines",
                column: "VmId",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AgentTasks");

            migrationBuilder.DropTable(
                name: "AsyncOperations");

            migrationBuilder.DropTable(
                name: "BackupJobs");

            migrationBuilder.DropTable(
                name: "ProtectedItems");

            migrationBuilder.DropTable(
                name: "RecoveryPointDisks");

            migrationBuilder.DropTable(
                name: "VirtualMachineDisks");

            migrationBuilder.DropTable(
                name: "VirtualMachineExtensions");

            migrationBuilder.DropTable(
                name: "BackupPolicies");

            migrationBuilder.DropTable(
                name: "RecoveryPoints");

            migrationBuilder.DropTable(
                name: "VirtualMachines");

            migrationBuilder.DropTable(
                name: "Vaults");
        }
    }
}
