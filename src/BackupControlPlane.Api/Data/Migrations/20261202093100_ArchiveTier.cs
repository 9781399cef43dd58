using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BackupControlPlane.Api.Data.Migrations
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
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "RehydratedRpExpiryTime",
                table: "RecoveryPoints",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "TieringPolicyJson",
                table: "BackupPolicies",
                type: "TEXT",
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
