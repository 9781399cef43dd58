using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BackupControlPlane.Api.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class ArchiveTier : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ArchivedRpStatus",
                table: "RecoveryPoints",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "RehydratedRpExpiryTime",
                table: "RecoveryPoints",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "TieringPolicyJson",
                table: "BackupPolicies",
                type: "text",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ArchivedRpStatus",
                table: "RecoveryPoints");

            migrationBuilder.DropColumn(
                name: "RehydratedRpExpiryTime",
                table: "RecoveryPoints");

            migrationBuilder.DropColumn(
                name: "TieringPolicyJson",
                table: "BackupPolicies");
        }
    }
}
