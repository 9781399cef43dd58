using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BackupControlPlane.Api.Data.Migrations
{
    /// <inheritdoc />
    public partial class RestoreModes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "VmStateJson",
                table: "RecoveryPoints",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "VmStateJson",
                table: "RecoveryPoints");
        }
    }
}
