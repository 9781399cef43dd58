using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BackupControlPlane.Api.Data.Migrations
{
    /// <inheritdoc />
    public partial class ResourceGuardsRbac : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ResourceGuardProxies",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    VaultId = table.Column<long>(type: "INTEGER", nullable: false),
                    Name = table.Column<string>(type: "TEXT", nullable: false),
                    ResourceGuardResourceId = table.Column<string>(type: "TEXT", nullable: false),
                    Description = table.Column<string>(type: "TEXT", nullable: true),
                    LastUpdatedTime = table.Column<long>(type: "INTEGER", nullable: false),
                    UnlockedRequestsJson = table.Column<string>(type: "TEXT", nullable: true),
                    UnlockedResource = table.Column<string>(type: "TEXT", nullable: true),
                    UnlockExpiresAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ResourceGuardProxies", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ResourceGuardProxies_Vaults_VaultId",
                        column: x => x.VaultId,
                        principalTable: "Vaults",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ResourceGuards",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ETag = table.Column<string>(type: "TEXT", nullable: false),
                    SubscriptionId = table.Column<string>(type: "TEXT", nullable: false),
                    ResourceGroup = table.Column<string>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", nullable: false),
                    Key = table.Column<string>(type: "TEXT", nullable: false),
                    Location = table.Column<string>(type: "TEXT", nullable: false),
                    TagsJson = table.Column<string>(type: "TEXT", nullable: true),
                    Description = table.Column<string>(type: "TEXT", nullable: true),
                    ExclusionListJson = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ModifiedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ResourceGuards", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "RoleAssignments",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Name = table.Column<string>(type: "TEXT", nullable: false),
                    Scope = table.Column<string>(type: "TEXT", nullable: false),
                    ScopeKey = table.Column<string>(type: "TEXT", nullable: false),
                    RoleDefinitionName = table.Column<string>(type: "TEXT", nullable: false),
                    PrincipalId = table.Column<Guid>(type: "TEXT", nullable: false),
                    PrincipalType = table.Column<string>(type: "TEXT", nullable: false),
                    Description = table.Column<string>(type: "TEXT", nullable: true),
                    CreatedBy = table.Column<Guid>(type: "TEXT", nullable: false),
                    CreatedOn = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RoleAssignments", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ResourceGuardProxies_ResourceGuardResourceId",
                table: "ResourceGuardProxies",
                column: "ResourceGuardResourceId");

            migrationBuilder.CreateIndex(
                name: "IX_ResourceGuardProxies_VaultId_Name",
                table: "ResourceGuardProxies",
                columns: new[] { "VaultId", "Name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ResourceGuards_Key",
                table: "ResourceGuards",
                column: "Key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_RoleAssignments_Name",
                table: "RoleAssignments",
                column: "Name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_RoleAssignments_PrincipalId_ScopeKey",
                table: "RoleAssignments",
                columns: new[] { "PrincipalId", "ScopeKey" });

            migrationBuilder.CreateIndex(
                name: "IX_RoleAssignments_ScopeKey",
                table: "RoleAssignments",
                column: "ScopeKey");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ResourceGuardProxies");

            migrationBuilder.DropTable(
                name: "ResourceGuards");

            migrationBuilder.DropTable(
                name: "RoleAssignments");
        }
    }
}
