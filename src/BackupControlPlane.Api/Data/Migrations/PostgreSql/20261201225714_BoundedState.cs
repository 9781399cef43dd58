using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace BackupControlPlane.Api.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class BoundedState : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "TagsJson",
                table: "VirtualMachines",
                type: "text",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "StorageAccounts",
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
                    Kind = table.Column<string>(type: "text", nullable: false),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_StorageAccounts", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_RecoveryPoints_ProtectedItemId_RecoveryPointTime",
                table: "RecoveryPoints",
                columns: new[] { "ProtectedItemId", "RecoveryPointTime" });

            migrationBuilder.CreateIndex(
                name: "IX_BackupJobs_EndTime",
                table: "BackupJobs",
                column: "EndTime");

            migrationBuilder.CreateIndex(
                name: "IX_BackupJobs_ProtectedItemId_EndTime",
                table: "BackupJobs",
                columns: new[] { "ProtectedItemId", "EndTime" });

            migrationBuilder.CreateIndex(
                name: "IX_AsyncOperations_EndTime",
                table: "AsyncOperations",
                column: "EndTime");

            migrationBuilder.CreateIndex(
                name: "IX_AgentTasks_CompletedAt",
                table: "AgentTasks",
                column: "CompletedAt");

            migrationBuilder.CreateIndex(
                name: "IX_StorageAccounts_Key",
                table: "StorageAccounts",
                column: "Key",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "StorageAccounts");

            migrationBuilder.DropIndex(
                name: "IX_RecoveryPoints_ProtectedItemId_RecoveryPointTime",
                table: "RecoveryPoints");

            migrationBuilder.DropIndex(
                name: "IX_BackupJobs_EndTime",
                table: "BackupJobs");

            migrationBuilder.DropIndex(
                name: "IX_BackupJobs_ProtectedItemId_EndTime",
                table: "BackupJobs");

            migrationBuilder.DropIndex(
                name: "IX_AsyncOperations_EndTime",
                table: "AsyncOperations");

            migrationBuilder.DropIndex(
                name: "IX_AgentTasks_CompletedAt",
                table: "AgentTasks");

            migrationBuilder.DropColumn(
                name: "TagsJson",
                table: "VirtualMachines");
        }
    }
}
