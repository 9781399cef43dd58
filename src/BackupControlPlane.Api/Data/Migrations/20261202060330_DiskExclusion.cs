using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BackupControlPlane.Api.Data.Migrations
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
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "DiskExclusionJson",
                table: "ProtectedItems",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "DiskExclusionJson",
                table: "AgentTasks",
                type: "TEXT",
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
