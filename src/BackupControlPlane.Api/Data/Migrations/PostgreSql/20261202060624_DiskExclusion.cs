using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BackupControlPlane.Api.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class DiskExclusion : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "DiskConfigurationJson",
                table: "RecoveryPoints",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "DiskExclusionJson",
                table: "ProtectedItems",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "DiskExclusionJson",
                table: "AgentTasks",
                type: "text",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "DiskConfigurationJson",
                table: "RecoveryPoints");

            migrationBuilder.DropColumn(
                name: "DiskExclusionJson",
                table: "ProtectedItems");

            migrationBuilder.DropColumn(
                name: "DiskExclusionJson",
                table: "AgentTasks");
        }
    }
}
