using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BackupControlPlane.Api.Data.Migrations
{
    /// <inheritdoc />
    public partial class ComputeNetwork : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "SpecJson",
                table: "VirtualMachines",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Caching",
                table: "VirtualMachineDisks",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "CreateOption",
                table: "VirtualMachineDisks",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "DeleteOption",
                table: "VirtualMachineDisks",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "ManagedDiskId",
                table: "VirtualMachineDisks",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ManagedDisks",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    UniqueId = table.Column<Guid>(type: "TEXT", nullable: false),
                    SubscriptionId = table.Column<string>(type: "TEXT", nullable: false),
                    ResourceGroup = table.Column<string>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", nullable: false),
                    Key = table.Column<string>(type: "TEXT", nullable: false),
                    Location = table.Column<string>(type: "TEXT", nullable: false),
                    SkuName = table.Column<string>(type: "TEXT", nullable: false),
                    DiskSizeGB = table.Column<int>(type: "INTEGER", nullable: false),
                    OsType = table.Column<string>(type: "TEXT", nullable: true),
                    CreateOption = table.Column<string>(type: "TEXT", nullable: false),
                    ImageReferenceJson = table.Column<string>(type: "TEXT", nullable: true),
                    TagsJson = table.Column<string>(type: "TEXT", nullable: true),
                    ZonesJson = table.Column<string>(type: "TEXT", nullable: true),
                    BlobContainer = table.Column<string>(type: "TEXT", nullable: false),
                    BlobName = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ManagedDisks", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "NetworkInterfaces",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ResourceGuid = table.Column<Guid>(type: "TEXT", nullable: false),
                    SubscriptionId = table.Column<string>(type: "TEXT", nullable: false),
                    ResourceGroup = table.Column<string>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", nullable: false),
                    Key = table.Column<string>(type: "TEXT", nullable: false),
                    Location = table.Column<string>(type: "TEXT", nullable: false),
                    MacAddress = table.Column<string>(type: "TEXT", nullable: false),
                    EnableAcceleratedNetworking = table.Column<bool>(type: "INTEGER", nullable: false),
                    TagsJson = table.Column<string>(type: "TEXT", nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    VirtualMachineId = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_NetworkInterfaces", x => x.Id);
                    table.ForeignKey(
                        name: "FK_NetworkInterfaces_VirtualMachines_VirtualMachineId",
                        column: x => x.VirtualMachineId,
                        principalTable: "VirtualMachines",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateTable(
                name: "PublicIpAddresses",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ResourceGuid = table.Column<Guid>(type: "TEXT", nullable: false),
                    SubscriptionId = table.Column<string>(type: "TEXT", nullable: false),
                    ResourceGroup = table.Column<string>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", nullable: false),
                    Key = table.Column<string>(type: "TEXT", nullable: false),
                    Location = table.Column<string>(type: "TEXT", nullable: false),
                    IpAddress = table.Column<string>(type: "TEXT", nullable: false),
                    AllocationMethod = table.Column<string>(type: "TEXT", nullable: false),
                    SkuName = table.Column<string>(type: "TEXT", nullable: false),
                    DomainNameLabel = table.Column<string>(type: "TEXT", nullable: true),
                    IdleTimeoutInMinutes = table.Column<int>(type: "INTEGER", nullable: false),
                    TagsJson = table.Column<string>(type: "TEXT", nullable: true),
                    ZonesJson = table.Column<string>(type: "TEXT", nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PublicIpAddresses", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "VirtualNetworks",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ResourceGuid = table.Column<Guid>(type: "TEXT", nullable: false),
                    SubscriptionId = table.Column<string>(type: "TEXT", nullable: false),
                    ResourceGroup = table.Column<string>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", nullable: false),
                    Key = table.Column<string>(type: "TEXT", nullable: false),
                    Location = table.Column<string>(type: "TEXT", nullable: false),
                    AddressPrefixesJson = table.Column<string>(type: "TEXT", nullable: false),
                    TagsJson = table.Column<string>(type: "TEXT", nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_VirtualNetworks", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Subnets",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    VirtualNetworkId = table.Column<long>(type: "INTEGER", nullable: false),
                    Name = table.Column<string>(type: "TEXT", nullable: false),
                    AddressPrefix = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Subnets", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Subnets_VirtualNetworks_VirtualNetworkId",
                        column: x => x.VirtualNetworkId,
                        principalTable: "VirtualNetworks",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "NicIpConfiguration",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    NetworkInterfaceId = table.Column<long>(type: "INTEGER", nullable: false),
                    Name = table.Column<string>(type: "TEXT", nullable: false),
                    Primary = table.Column<bool>(type: "INTEGER", nullable: false),
                    SubnetId = table.Column<long>(type: "INTEGER", nullable: false),
                    PrivateIpAddress = table.Column<string>(type: "TEXT", nullable: false),
                    PrivateIpAllocationMethod = table.Column<string>(type: "TEXT", nullable: false),
                    PublicIpAddressId = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_NicIpConfiguration", x => x.Id);
                    table.ForeignKey(
                        name: "FK_NicIpConfiguration_NetworkInterfaces_NetworkInterfaceId",
                        column: x => x.NetworkInterfaceId,
                        principalTable: "NetworkInterfaces",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_NicIpConfiguration_PublicIpAddresses_PublicIpAddressId",
                        column: x => x.PublicIpAddressId,
                        principalTable: "PublicIpAddresses",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_NicIpConfiguration_Subnets_SubnetId",
                        column: x => x.SubnetId,
                        principalTable: "Subnets",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_VirtualMachineDisks_ManagedDiskId",
                table: "VirtualMachineDisks",
                column: "ManagedDiskId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ManagedDisks_Key",
                table: "ManagedDisks",
                column: "Key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_NetworkInterfaces_Key",
                table: "NetworkInterfaces",
                column: "Key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_NetworkInterfaces_VirtualMachineId",
                table: "NetworkInterfaces",
                column: "VirtualMachineId");

            migrationBuilder.CreateIndex(
                name: "IX_NicIpConfiguration_NetworkInterfaceId",
                table: "NicIpConfiguration",
                column: "NetworkInterfaceId");

            migrationBuilder.CreateIndex(
                name: "IX_NicIpConfiguration_PublicIpAddressId",
                table: "NicIpConfiguration",
                column: "PublicIpAddressId");

            migrationBuilder.CreateIndex(
                name: "IX_NicIpConfiguration_SubnetId_PrivateIpAddress",
                table: "NicIpConfiguration",
                columns: new[] { "SubnetId", "PrivateIpAddress" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_PublicIpAddresses_IpAddress",
                table: "PublicIpAddresses",
                column: "IpAddress",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_PublicIpAddresses_Key",
                table: "PublicIpAddresses",
                column: "Key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Subnets_VirtualNetworkId_Name",
                table: "Subnets",
                columns: new[] { "VirtualNetworkId", "Name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_VirtualNetworks_Key",
                table: "VirtualNetworks",
                column: "Key",
                unique: true);

            migrationBuilder.AddForeignKey(
                name: "FK_VirtualMachineDisks_ManagedDisks_ManagedDiskId",
                table: "VirtualMachineDisks",
                column: "ManagedDiskId",
                principalTable: "ManagedDisks",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_VirtualMachineDisks_ManagedDisks_ManagedDiskId",
                table: "VirtualMachineDisks");

            migrationBuilder.DropTable(
                name: "ManagedDisks");

            migrationBuilder.DropTable(
                name: "NicIpConfiguration");

            migrationBuilder.DropTable(
                name: "NetworkInterfaces");

            migrationBuilder.DropTable(
                name: "PublicIpAddresses");

            migrationBuilder.DropTable(
                name: "Subnets");

            migrationBuilder.DropTable(
                name: "VirtualNetworks");

            migrationBuilder.DropIndex(
                name: "IX_VirtualMachineDisks_ManagedDiskId",
                table: "VirtualMachineDisks");

            migrationBuilder.DropColumn(
                name: "SpecJson",
                table: "VirtualMachines");

            migrationBuilder.DropColumn(
                name: "Caching",
                table: "VirtualMachineDisks");

            migrationBuilder.DropColumn(
                name: "CreateOption",
                table: "VirtualMachineDisks");

            migrationBuilder.DropColumn(
                name: "DeleteOption",
                table: "VirtualMachineDisks");

            migrationBuilder.DropColumn(
                name: "ManagedDiskId",
                table: "VirtualMachineDisks");
        }
    }
}
