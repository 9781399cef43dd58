using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BackupControlPlane.Api.Data.Migrations
{
    /// <inheritdoc />
    public partial class CrossRegionRestore : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "IlrSessionContainer",
                table: "RecoveryPoints",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "IlrSessionExpiry",
                table: "RecoveryPoints",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Region",
                table: "BackupJobs",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PropertiesJson",
                table: "AsyncOperations",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "IlrSessionContainer",
                table: "RecoveryPoints");

            migrationBuilder.DropColumn(
                name: "IlrSessionExpiry",
                table: "RecoveryPoints");

            migrationBuilder.DropColumn(
                name: "Region",
                table: "BackupJobs");

            migrationBuilder.DropColumn(
                name: "PropertiesJson",
                table: "AsyncOperations");
        }
    }
}
