using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BackupControlPlane.Api.Data.Migrations
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
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    VaultId = table.Column<long>(type: "INTEGER", nullable: false),
                    JobId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Status = table.Column<string>(type: "TEXT", nullable: false),
                    StartTime = table.Column<long>(type: "INTEGER", nullable: false),
                    EndTime = table.Column<long>(type: "INTEGER", nullable: true),
                    ErrorCode = table.Column<string>(type: "TEXT", nullable: true),
                    ErrorMessage = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AsyncOperations", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "BackupJobs",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    VaultId = table.Column<long>(type: "INTEGER", nullable: false),
                    ProtectedItemId = table.Column<long>(type: "INTEGER", nullable: true),
                    EntityFriendlyName = table.Column<string>(type: "TEXT", nullable: false),
                    Operation = table.Column<string>(type: "TEXT", nullable: false),
                    Status = table.Column<string>(type: "TEXT", nullable: false),
                    StartTime = table.Column<long>(type: "INTEGER", nullable: false),
                    EndTime = table.Column<long>(type: "INTEGER", nullable: true),
                    ActivityId = table.Column<Guid>(type: "TEXT", nullable: false),
                    SnapshotTaskStatus = table.Column<string>(type: "TEXT", nullable: true),
                    SnapshotTaskStart = table.Column<long>(type: "INTEGER", nullable: true),
                    SnapshotTaskEnd = table.Column<long>(type: "INTEGER", nullable: true),
                    TransferTaskStatus = table.Column<string>(type: "TEXT", nullable: true),
                    TransferTaskStart = table.Column<long>(type: "INTEGER", nullable: true),
                    TransferTaskEnd = table.Column<long>(type: "INTEGER", nullable: true),
                    BackupSizeBytes = table.Column<long>(type: "INTEGER", nullable: true),
                    ErrorCode = table.Column<string>(type: "TEXT", nullable: true),
                    ErrorMessage = table.Column<string>(type: "TEXT", nullable: true),
                    ScheduledSlotUtc = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BackupJobs", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "RecoveryPoints",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Name = table.Column<string>(type: "TEXT", nullable: false),
                    ProtectedItemId = table.Column<long>(type: "INTEGER", nullable: false),
                    JobId = table.Column<Guid>(type: "TEXT", nullable: false),
                    RecoveryPointTime = table.Column<long>(type: "INTEGER", nullable: false),
                    RecoveryPointType = table.Column<string>(type: "TEXT", nullable: false),
                    InstantRpValid = table.Column<bool>(type: "INTEGER", nullable: false),
                    HardenedRpValid = table.Column<bool>(type: "INTEGER", nullable: false),
                    ExpiryTime = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RecoveryPoints", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Vaults",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    SubscriptionId = table.Column<string>(type: "TEXT", nullable: false),
                    ResourceGroup = table.Column<string>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", nullable: false),
                    Key = table.Column<string>(type: "TEXT", nullable: false),
                    Location = table.Column<string>(type: "TEXT", nullable: false),
                    SkuName = table.Column<string>(type: "TEXT", nullable: false),
                    TagsJson = table.Column<string>(type: "TEXT", nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ModifiedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Vaults", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "VirtualMachines",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    VmId = table.Column<Guid>(type: "TEXT", nullable: false),
                    SubscriptionId = table.Column<string>(type: "TEXT", nullable: false),
                    ResourceGroup = table.Column<string>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", nullable: false),
                    Key = table.Column<string>(type: "TEXT", nullable: false),
                    Location = table.Column<string>(type: "TEXT", nullable: false),
                    OsType = table.Column<string>(type: "TEXT", nullable: false),
                    VmSize = table.Column<string>(type: "TEXT", nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Incarnation = table.Column<long>(type: "INTEGER", nullable: false),
                    TaskSequence = table.Column<int>(type: "INTEGER", nullable: false),
                    AgentLastSeen = table.Column<long>(type: "INTEGER", nullable: true),
                    AgentVersion = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_VirtualMachines", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "RecoveryPointDisks",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    RecoveryPointId = table.Column<long>(type: "INTEGER", nullable: false),
                    Lun = table.Column<int>(type: "INTEGER", nullable: false),
                    SourceBlobUri = table.Column<string>(type: "TEXT", nullable: false),
                    Snapshot = table.Column<string>(type: "TEXT", nullable: false),
                    VaultContainer = table.Column<string>(type: "TEXT", nullable: true),
                    VaultBlobName = table.Column<string>(type: "TEXT", nullable: true),
                    SizeBytes = table.Column<long>(type: "INTEGER", nullable: false)
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
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    VaultId = table.Column<long>(type: "INTEGER", nullable: false),
                    Name = table.Column<string>(type: "TEXT", nullable: false),
                    ScheduleRunFrequency = table.Column<string>(type: "TEXT", nullable: false),
                    ScheduleRunTimes = table.Column<string>(type: "TEXT", nullable: false),
                    TimeZone = table.Column<string>(type: "TEXT", nullable: false),
                    DailyRetentionDays = table.Column<int>(type: "INTEGER", nullable: false),
                    InstantRpRetentionRangeInDays = table.Column<int>(type: "INTEGER", nullable: false),
                    NextSlotUtc = table.Column<long>(type: "INTEGER", nullable: true),
                    NextSlotJobId = table.Column<string>(type: "TEXT", nullable: true)
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
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    TaskId = table.Column<string>(type: "TEXT", nullable: false),
                    SequenceNumber = table.Column<int>(type: "INTEGER", nullable: false),
                    VirtualMachineId = table.Column<long>(type: "INTEGER", nullable: false),
                    ProtectedItemId = table.Column<long>(type: "INTEGER", nullable: false),
                    JobId = table.Column<Guid>(type: "TEXT", nullable: false),
                    State = table.Column<string>(type: "TEXT", nullable: false),
                    CommandStartTime = table.Column<long>(type: "INTEGER", nullable: false),
                    Deadline = table.Column<long>(type: "INTEGER", nullable: false),
                    LogsContainer = table.Column<string>(type: "TEXT", nullable: false),
                    DeliveredAt = table.Column<long>(type: "INTEGER", nullable: true),
                    CompletedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ExtensionCode = table.Column<int>(type: "INTEGER", nullable: true),
                    RecoveryPointExpiry = table.Column<string>(type: "TEXT", nullable: true)
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
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    VirtualMachineId = table.Column<long>(type: "INTEGER", nullable: false),
                    Lun = table.Column<int>(type: "INTEGER", nullable: false),
                    Name = table.Column<string>(type: "TEXT", nullable: false),
                    DiskSizeGB = table.Column<int>(type: "INTEGER", nullable: false),
                    BlobContainer = table.Column<string>(type: "TEXT", nullable: false),
                    BlobName = table.Column<string>(type: "TEXT", nullable: false)
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
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    VirtualMachineId = table.Column<long>(type: "INTEGER", nullable: false),
                    Name = table.Column<string>(type: "TEXT", nullable: false),
                    Publisher = table.Column<string>(type: "TEXT", nullable: false),
                    Type = table.Column<string>(type: "TEXT", nullable: false),
                    TypeHandlerVersion = table.Column<string>(type: "TEXT", nullable: false),
                    AutoUpgradeMinorVersion = table.Column<bool>(type: "INTEGER", nullable: false),
                    ProvisioningState = table.Column<string>(type: "TEXT", nullable: false),
                    PublicSettingsJson = table.Column<string>(type: "TEXT", nullable: true),
                    SequenceNumber = table.Column<int>(type: "INTEGER", nullable: false),
                    HandlerVersionReported = table.Column<string>(type: "TEXT", nullable: true),
                    StatusTime = table.Column<long>(type: "INTEGER", nullable: true),
                    StatusMessage = table.Column<string>(type: "TEXT", nullable: true)
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
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    VaultId = table.Column<long>(type: "INTEGER", nullable: false),
                    VirtualMachineId = table.Column<long>(type: "INTEGER", nullable: false),
                    PolicyId = table.Column<long>(type: "INTEGER", nullable: true),
                    ContainerName = table.Column<string>(type: "TEXT", nullable: false),
                    ProtectionState = table.Column<string>(type: "TEXT", nullable: false),
                    LastBackupStatus = table.Column<string>(type: "TEXT", nullable: false),
                    LastBackupTime = table.Column<long>(type: "INTEGER", nullable: true),
                    LastRecoveryPointTime = table.Column<long>(type: "INTEGER", nullable: true),
                    ProtectedItemDataId = table.Column<long>(type: "INTEGER", nullable: false),
                    ProtectedAt = table.Column<long>(type: "INTEGER", nullable: false)
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
