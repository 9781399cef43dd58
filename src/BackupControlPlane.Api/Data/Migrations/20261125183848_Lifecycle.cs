using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BackupControlPlane.Api.Data.Migrations
{
    /// <inheritdoc />
    public partial class Lifecycle : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "InstantRpExpiryTime",
                table: "RecoveryPoints",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RetentionJson",
                table: "BackupPolicies",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ScheduleRunDays",
                table: "BackupPolicies",
                type: "TEXT",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "PropertyBagJson",
                table: "BackupJobs",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "RecoveryPointId",
                table: "BackupJobs",
                type: "INTEGER",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "InstantRpExpiryTime",
                table: "RecoveryPoints");

            migrationBuilder.DropColumn(
                name: "RetentionJson",
                table: "BackupPolicies");

            migrationBuilder.DropColumn(
                name: "ScheduleRunDays",
                table: "BackupPolicies");

            migrationBuilder.DropColumn(
                name: "PropertyBagJson",
                table: "BackupJobs");

            migrationBuilder.DropColumn(
                name: "RecoveryPointId",
                table: "BackupJobs");
        }
    }
}
