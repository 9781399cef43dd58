using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BackupControlPlane.Api.Data.Migrations
{
    /// <inheritdoc />
    public partial class AgentIdentity : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "AgentCertificate",
                table: "VirtualMachines",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "AgentCertificateThumbprint",
                table: "VirtualMachines",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "AgentRegistration",
                table: "VirtualMachines",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "AgentCertificate",
                table: "VirtualMachines");

            migrationBuilder.DropColumn(
                name: "AgentCertificateThumbprint",
                table: "VirtualMachines");

            migrationBuilder.DropColumn(
                name: "AgentRegistration",
                table: "VirtualMachines");
        }
    }
}
