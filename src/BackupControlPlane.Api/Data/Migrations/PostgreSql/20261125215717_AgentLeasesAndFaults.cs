using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BackupControlPlane.Api.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class AgentLeasesAndFaults : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "AgentFaultJson",
                table: "VirtualMachines",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "DeliveryCount",
                table: "AgentTasks",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<long>(
                name: "LeaseExpiresAt",
                table: "AgentTasks",
                type: "bigint",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "AgentFaultJson",
                table: "VirtualMachines");

            migrationBuilder.DropColumn(
                name: "DeliveryCount",
                table: "AgentTasks");

            migrationBuilder.DropColumn(
                name: "LeaseExpiresAt",
                table: "AgentTasks");
        }
    }
}
