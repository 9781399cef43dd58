using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BackupControlPlane.Api.Data.Migrations
{
    /// <inheritdoc />
    public partial class Etags : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ETag",
                table: "Vaults",
                type: "TEXT",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "ETag",
                table: "ProtectedItems",
                type: "TEXT",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "ETag",
                table: "BackupPolicies",
                type: "TEXT",
                nullable: false,
                defaultValue: "");

            // Rows that exist already get a tag of their own (SQLite allows only constant column defaults).
            if (migrationBuilder.ActiveProvider == "Microsoft.EntityFrameworkCore.Sqlite")
                foreach (var table in new[] { "Vaults", "ProtectedItems", "BackupPolicies" })
                    migrationBuilder.Sql($"UPDATE \"{table}\" SET \"ETag\" = lower(hex(randomblob(16))) WHERE \"ETag\" = '';");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ETag",
                table: "Vaults");

            migrationBuilder.DropColumn(
                name: "ETag",
                table: "ProtectedItems");

            migrationBuilder.DropColumn(
                name: "ETag",
                table: "BackupPolicies");
        }
    }
}
