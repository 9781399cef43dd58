using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BackupControlPlane.Api.Data.Migrations.PostgreSql
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
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "IlrSessionExpiry",
                table: "RecoveryPoints",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Region",
                table: "BackupJobs",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PropertiesJson",
                table: "AsyncOperations",
                type: "text",
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
