CREATE TABLE IF NOT EXISTS "__EFMigrationsHistory" (
    "MigrationId" TEXT NOT NULL CONSTRAINT "PK___EFMigrationsHistory" PRIMARY KEY,
    "ProductVersion" TEXT NOT NULL
);

CREATE TABLE "AsyncOperations" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_AsyncOperations" PRIMARY KEY,
    "VaultId" INTEGER NOT NULL,
    "JobId" TEXT NULL,
    "Status" TEXT NOT NULL,
    "StartTime" INTEGER NOT NULL,
    "EndTime" INTEGER NULL,
    "ErrorCode" TEXT NULL,
    "ErrorMessage" TEXT NULL
);

CREATE TABLE "BackupJobs" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_BackupJobs" PRIMARY KEY,
    "VaultId" INTEGER NOT NULL,
    "ProtectedItemId" INTEGER NULL,
    "EntityFriendlyName" TEXT NOT NULL,
    "Operation" TEXT NOT NULL,
    "Status" TEXT NOT NULL,
    "StartTime" INTEGER NOT NULL,
    "EndTime" INTEGER NULL,
    "ActivityId" TEXT NOT NULL,
    "SnapshotTaskStatus" TEXT NULL,
    "SnapshotTaskStart" INTEGER NULL,
    "SnapshotTaskEnd" INTEGER NULL,
    "TransferTaskStatus" TEXT NULL,
    "TransferTaskStart" INTEGER NULL,
    "TransferTaskEnd" INTEGER NULL,
    "BackupSizeBytes" INTEGER NULL,
    "ErrorCode" TEXT NULL,
    "ErrorMessage" TEXT NULL,
    "ScheduledSlotUtc" INTEGER NULL
);

CREATE TABLE "RecoveryPoints" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_RecoveryPoints" PRIMARY KEY AUTOINCREMENT,
    "Name" TEXT NOT NULL,
    "ProtectedItemId" INTEGER NOT NULL,
    "JobId" TEXT NOT NULL,
    "RecoveryPointTime" INTEGER NOT NULL,
    "RecoveryPointType" TEXT NOT NULL,
    "InstantRpValid" INTEGER NOT NULL,
    "HardenedRpValid" INTEGER NOT NULL,
    "ExpiryTime" INTEGER NULL
);

CREATE TABLE "Vaults" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_Vaults" PRIMARY KEY AUTOINCREMENT,
    "SubscriptionId" TEXT NOT NULL,
    "ResourceGroup" TEXT NOT NULL,
    "Name" TEXT NOT NULL,
    "Key" TEXT NOT NULL,
    "Location" TEXT NOT NULL,
    "SkuName" TEXT NOT NULL,
    "TagsJson" TEXT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "ModifiedAt" INTEGER NOT NULL
);

CREATE TABLE "VirtualMachines" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_VirtualMachines" PRIMARY KEY AUTOINCREMENT,
    "VmId" TEXT NOT NULL,
    "SubscriptionId" TEXT NOT NULL,
    "ResourceGroup" TEXT NOT NULL,
    "Name" TEXT NOT NULL,
    "Key" TEXT NOT NULL,
    "Location" TEXT NOT NULL,
    "OsType" TEXT NOT NULL,
    "VmSize" TEXT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "Incarnation" INTEGER NOT NULL,
    "TaskSequence" INTEGER NOT NULL,
    "AgentLastSeen" INTEGER NULL,
    "AgentVersion" TEXT NULL
);

CREATE TABLE "RecoveryPointDisks" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_RecoveryPointDisks" PRIMARY KEY AUTOINCREMENT,
    "RecoveryPointId" INTEGER NOT NULL,
    "Lun" INTEGER NOT NULL,
    "SourceBlobUri" TEXT NOT NULL,
    "Snapshot" TEXT NOT NULL,
    "VaultContainer" TEXT NULL,
    "VaultBlobName" TEXT NULL,
    "SizeBytes" INTEGER NOT NULL,
    CONSTRAINT "FK_RecoveryPointDisks_RecoveryPoints_RecoveryPointId" FOREIGN KEY ("RecoveryPointId") REFERENCES "RecoveryPoints" ("Id") ON DELETE CASCADE
);

CREATE TABLE "BackupPolicies" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_BackupPolicies" PRIMARY KEY AUTOINCREMENT,
    "VaultId" INTEGER NOT NULL,
    "Name" TEXT NOT NULL,
    "ScheduleRunFrequency" TEXT NOT NULL,
    "ScheduleRunTimes" TEXT NOT NULL,
    "TimeZone" TEXT NOT NULL,
    "DailyRetentionDays" INTEGER NOT NULL,
    "InstantRpRetentionRangeInDays" INTEGER NOT NULL,
    "NextSlotUtc" INTEGER NULL,
    "NextSlotJobId" TEXT NULL,
    CONSTRAINT "FK_BackupPolicies_Vaults_VaultId" FOREIGN KEY ("VaultId") REFERENCES "Vaults" ("Id") ON DELETE CASCADE
);

CREATE TABLE "AgentTasks" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_AgentTasks" PRIMARY KEY,
    "TaskId" TEXT NOT NULL,
    "SequenceNumber" INTEGER NOT NULL,
    "VirtualMachineId" INTEGER NOT NULL,
    "ProtectedItemId" INTEGER NOT NULL,
    "JobId" TEXT NOT NULL,
    "State" TEXT NOT NULL,
    "CommandStartTime" INTEGER NOT NULL,
    "Deadline" INTEGER NOT NULL,
    "LogsContainer" TEXT NOT NULL,
    "DeliveredAt" INTEGER NULL,
    "CompletedAt" INTEGER NULL,
    "ExtensionCode" INTEGER NULL,
    "RecoveryPointExpiry" TEXT NULL,
    CONSTRAINT "FK_AgentTasks_VirtualMachines_VirtualMachineId" FOREIGN KEY ("VirtualMachineId") REFERENCES "VirtualMachines" ("Id") ON DELETE CASCADE
);

CREATE TABLE "VirtualMachineDisks" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_VirtualMachineDisks" PRIMARY KEY AUTOINCREMENT,
    "VirtualMachineId" INTEGER NOT NULL,
    "Lun" INTEGER NOT NULL,
    "Name" TEXT NOT NULL,
    "DiskSizeGB" INTEGER NOT NULL,
    "BlobContainer" TEXT NOT NULL,
    "BlobName" TEXT NOT NULL,
    CONSTRAINT "FK_VirtualMachineDisks_VirtualMachines_VirtualMachineId" FOREIGN KEY ("VirtualMachineId") REFERENCES "VirtualMachines" ("Id") ON DELETE CASCADE
);

CREATE TABLE "VirtualMachineExtensions" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_VirtualMachineExtensions" PRIMARY KEY AUTOINCREMENT,
    "VirtualMachineId" INTEGER NOT NULL,
    "Name" TEXT NOT NULL,
    "Publisher" TEXT NOT NULL,
    "Type" TEXT NOT NULL,
    "TypeHandlerVersion" TEXT NOT NULL,
    "AutoUpgradeMinorVersion" INTEGER NOT NULL,
    "ProvisioningState" TEXT NOT NULL,
    "PublicSettingsJson" TEXT NULL,
    "SequenceNumber" INTEGER NOT NULL,
    "HandlerVersionReported" TEXT NULL,
    "StatusTime" INTEGER NULL,
    "StatusMessage" TEXT NULL,
    CONSTRAINT "FK_VirtualMachineExtensions_VirtualMachines_VirtualMachineId" FOREIGN KEY ("VirtualMachineId") REFERENCES "VirtualMachines" ("Id") ON DELETE CASCADE
);

CREATE TABLE "ProtectedItems" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_ProtectedItems" PRIMARY KEY AUTOINCREMENT,
    "VaultId" INTEGER NOT NULL,
    "VirtualMachineId" INTEGER NOT NULL,
    "PolicyId" INTEGER NULL,
    "ContainerName" TEXT NOT NULL,
    "ProtectionState" TEXT NOT NULL,
    "LastBackupStatus" TEXT NOT NULL,
    "LastBackupTime" INTEGER NULL,
    "LastRecoveryPointTime" INTEGER NULL,
    "ProtectedItemDataId" INTEGER NOT NULL,
    "ProtectedAt" INTEGER NOT NULL,
    CONSTRAINT "FK_ProtectedItems_BackupPolicies_PolicyId" FOREIGN KEY ("PolicyId") REFERENCES "BackupPolicies" ("Id") ON DELETE RESTRICT,
    CONSTRAINT "FK_ProtectedItems_Vaults_VaultId" FOREIGN KEY ("VaultId") REFERENCES "Vaults" ("Id") ON DELETE CASCADE,
    CONSTRAINT "FK_ProtectedItems_VirtualMachines_VirtualMachineId" FOREIGN KEY ("VirtualMachineId") REFERENCES "VirtualMachines" ("Id") ON DELETE CASCADE
);

CREATE INDEX "IX_AgentTasks_State_Deadline" ON "AgentTasks" ("State", "Deadline");

CREATE UNIQUE INDEX "IX_AgentTasks_TaskId" ON "AgentTasks" ("TaskId");

CREATE INDEX "IX_AgentTasks_VirtualMachineId_State" ON "AgentTasks" ("VirtualMachineId", "State");

CREATE UNIQUE INDEX "IX_BackupJobs_ProtectedItemId_ScheduledSlotUtc" ON "BackupJobs" ("ProtectedItemId", "ScheduledSlotUtc");

CREATE INDEX "IX_BackupJobs_VaultId_StartTime" ON "BackupJobs" ("VaultId", "StartTime");

CREATE UNIQUE INDEX "IX_BackupPolicies_VaultId_Name" ON "BackupPolicies" ("VaultId", "Name");

CREATE INDEX "IX_ProtectedItems_PolicyId" ON "ProtectedItems" ("PolicyId");

CREATE UNIQUE INDEX "IX_ProtectedItems_VaultId_ContainerName" ON "ProtectedItems" ("VaultId", "ContainerName");

CREATE UNIQUE INDEX "IX_ProtectedItems_VirtualMachineId" ON "ProtectedItems" ("VirtualMachineId");

CREATE INDEX "IX_RecoveryPointDisks_RecoveryPointId" ON "RecoveryPointDisks" ("RecoveryPointId");

CREATE UNIQUE INDEX "IX_RecoveryPoints_JobId" ON "RecoveryPoints" ("JobId");

CREATE UNIQUE INDEX "IX_RecoveryPoints_ProtectedItemId_Name" ON "RecoveryPoints" ("ProtectedItemId", "Name");

CREATE UNIQUE INDEX "IX_Vaults_Key" ON "Vaults" ("Key");

CREATE INDEX "IX_VirtualMachineDisks_VirtualMachineId" ON "VirtualMachineDisks" ("VirtualMachineId");

CREATE UNIQUE INDEX "IX_VirtualMachineExtensions_VirtualMachineId_Name" ON "VirtualMachineExtensions" ("VirtualMachineId", "Name");

CREATE UNIQUE INDEX "IX_VirtualMachines_Key" ON "VirtualMachines" ("Key");

CREATE UNIQUE INDEX "IX_VirtualMachines_VmId" ON "VirtualMachines" ("VmId");

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261125175555_Initial', '10.0.15');

ALTER TABLE "RecoveryPoints" ADD "InstantRpExpiryTime" INTEGER NULL;

ALTER TABLE "BackupPolicies" ADD "RetentionJson" TEXT NULL;

ALTER TABLE "BackupPolicies" ADD "ScheduleRunDays" TEXT NOT NULL DEFAULT '';

ALTER TABLE "BackupJobs" ADD "PropertyBagJson" TEXT NULL;

ALTER TABLE "BackupJobs" ADD "RecoveryPointId" INTEGER NULL;

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261125183848_Lifecycle', '10.0.15');

ALTER TABLE "ProtectedItems" ADD "DeferredDeleteTime" INTEGER NULL;

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261125185707_SoftDelete', '10.0.15');

ALTER TABLE "VirtualMachines" ADD "AgentCertificate" TEXT NULL;

ALTER TABLE "VirtualMachines" ADD "AgentCertificateThumbprint" TEXT NULL;

ALTER TABLE "VirtualMachines" ADD "AgentRegistration" INTEGER NOT NULL DEFAULT 0;

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261125191146_AgentIdentity', '10.0.15');

ALTER TABLE "VirtualMachines" ADD "AgentFaultJson" TEXT NULL;

ALTER TABLE "AgentTasks" ADD "DeliveryCount" INTEGER NOT NULL DEFAULT 0;

ALTER TABLE "AgentTasks" ADD "LeaseExpiresAt" INTEGER NULL;

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261125202252_AgentLeasesAndFaults', '10.0.15');

ALTER TABLE "Vaults" ADD "ETag" TEXT NOT NULL DEFAULT '';

ALTER TABLE "ProtectedItems" ADD "ETag" TEXT NOT NULL DEFAULT '';

ALTER TABLE "BackupPolicies" ADD "ETag" TEXT NOT NULL DEFAULT '';

UPDATE "Vaults" SET "ETag" = lower(hex(randomblob(16))) WHERE "ETag" = '';

UPDATE "ProtectedItems" SET "ETag" = lower(hex(randomblob(16))) WHERE "ETag" = '';

UPDATE "BackupPolicies" SET "ETag" = lower(hex(randomblob(16))) WHERE "ETag" = '';

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261125211751_Etags', '10.0.15');

ALTER TABLE "VirtualMachines" ADD "TagsJson" TEXT NULL;

CREATE TABLE "StorageAccounts" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_StorageAccounts" PRIMARY KEY AUTOINCREMENT,
    "SubscriptionId" TEXT NOT NULL,
    "ResourceGroup" TEXT NOT NULL,
    "Name" TEXT NOT NULL,
    "Key" TEXT NOT NULL,
    "Location" TEXT NOT NULL,
    "SkuName" TEXT NOT NULL,
    "Kind" TEXT NOT NULL,
    "CreatedAt" INTEGER NOT NULL
);

CREATE INDEX "IX_RecoveryPoints_ProtectedItemId_RecoveryPointTime" ON "RecoveryPoints" ("ProtectedItemId", "RecoveryPointTime");

CREATE INDEX "IX_BackupJobs_EndTime" ON "BackupJobs" ("EndTime");

CREATE INDEX "IX_BackupJobs_ProtectedItemId_EndTime" ON "BackupJobs" ("ProtectedItemId", "EndTime");

CREATE INDEX "IX_AsyncOperations_EndTime" ON "AsyncOperations" ("EndTime");

CREATE INDEX "IX_AgentTasks_CompletedAt" ON "AgentTasks" ("CompletedAt");

CREATE UNIQUE INDEX "IX_StorageAccounts_Key" ON "StorageAccounts" ("Key");

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261201225537_BoundedState', '10.0.15');

CREATE TABLE "ResourceGroupDeletions" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_ResourceGroupDeletions" PRIMARY KEY,
    "SubscriptionId" TEXT NOT NULL,
    "ResourceGroup" TEXT NOT NULL,
    "Status" TEXT NOT NULL,
    "StartTime" INTEGER NOT NULL,
    "EndTime" INTEGER NULL,
    "ErrorStatus" INTEGER NULL,
    "ErrorJson" TEXT NULL
);

CREATE TABLE "ResourceGroups" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_ResourceGroups" PRIMARY KEY AUTOINCREMENT,
    "SubscriptionId" TEXT NOT NULL,
    "Name" TEXT NOT NULL,
    "Key" TEXT NOT NULL,
    "Location" TEXT NOT NULL,
    "ManagedBy" TEXT NULL,
    "TagsJson" TEXT NULL,
    "TagIndex" TEXT NULL,
    "CreatedAt" INTEGER NOT NULL
);

CREATE INDEX "IX_ResourceGroupDeletions_EndTime" ON "ResourceGroupDeletions" ("EndTime");

CREATE UNIQUE INDEX "IX_ResourceGroups_Key" ON "ResourceGroups" ("Key");

INSERT INTO "ResourceGroups" ("SubscriptionId", "Name", "Key", "Location", "CreatedAt")
SELECT "SubscriptionId", "ResourceGroup", lower("SubscriptionId" || '/' || "ResourceGroup" || '/'), lower(replace("Location", ' ', '')), "CreatedAt"
FROM (SELECT "SubscriptionId", "ResourceGroup", "Location", "CreatedAt" FROM "VirtualMachines"
      UNION ALL SELECT "SubscriptionId", "ResourceGroup", "Location", "CreatedAt" FROM "Vaults"
      UNION ALL SELECT "SubscriptionId", "ResourceGroup", "Location", "CreatedAt" FROM "StorageAccounts") AS used
WHERE 1 = 1
ORDER BY "CreatedAt"
ON CONFLICT ("Key") DO NOTHING;

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261202020059_ResourceGroups', '10.0.15');

ALTER TABLE "VirtualMachines" ADD "SpecJson" TEXT NULL;

ALTER TABLE "VirtualMachineDisks" ADD "Caching" TEXT NULL;

ALTER TABLE "VirtualMachineDisks" ADD "CreateOption" TEXT NULL;

ALTER TABLE "VirtualMachineDisks" ADD "DeleteOption" TEXT NULL;

ALTER TABLE "VirtualMachineDisks" ADD "ManagedDiskId" INTEGER NULL;

CREATE TABLE "ManagedDisks" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_ManagedDisks" PRIMARY KEY AUTOINCREMENT,
    "UniqueId" TEXT NOT NULL,
    "SubscriptionId" TEXT NOT NULL,
    "ResourceGroup" TEXT NOT NULL,
    "Name" TEXT NOT NULL,
    "Key" TEXT NOT NULL,
    "Location" TEXT NOT NULL,
    "SkuName" TEXT NOT NULL,
    "DiskSizeGB" INTEGER NOT NULL,
    "OsType" TEXT NULL,
    "CreateOption" TEXT NOT NULL,
    "ImageReferenceJson" TEXT NULL,
    "TagsJson" TEXT NULL,
    "ZonesJson" TEXT NULL,
    "BlobContainer" TEXT NOT NULL,
    "BlobName" TEXT NOT NULL,
    "CreatedAt" INTEGER NOT NULL
);

CREATE TABLE "NetworkInterfaces" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_NetworkInterfaces" PRIMARY KEY AUTOINCREMENT,
    "ResourceGuid" TEXT NOT NULL,
    "SubscriptionId" TEXT NOT NULL,
    "ResourceGroup" TEXT NOT NULL,
    "Name" TEXT NOT NULL,
    "Key" TEXT NOT NULL,
    "Location" TEXT NOT NULL,
    "MacAddress" TEXT NOT NULL,
    "EnableAcceleratedNetworking" INTEGER NOT NULL,
    "TagsJson" TEXT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "VirtualMachineId" INTEGER NULL,
    CONSTRAINT "FK_NetworkInterfaces_VirtualMachines_VirtualMachineId" FOREIGN KEY ("VirtualMachineId") REFERENCES "VirtualMachines" ("Id") ON DELETE SET NULL
);

CREATE TABLE "PublicIpAddresses" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_PublicIpAddresses" PRIMARY KEY AUTOINCREMENT,
    "ResourceGuid" TEXT NOT NULL,
    "SubscriptionId" TEXT NOT NULL,
    "ResourceGroup" TEXT NOT NULL,
    "Name" TEXT NOT NULL,
    "Key" TEXT NOT NULL,
    "Location" TEXT NOT NULL,
    "IpAddress" TEXT NOT NULL,
    "AllocationMethod" TEXT NOT NULL,
    "SkuName" TEXT NOT NULL,
    "DomainNameLabel" TEXT NULL,
    "IdleTimeoutInMinutes" INTEGER NOT NULL,
    "TagsJson" TEXT NULL,
    "ZonesJson" TEXT NULL,
    "CreatedAt" INTEGER NOT NULL
);

CREATE TABLE "VirtualNetworks" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_VirtualNetworks" PRIMARY KEY AUTOINCREMENT,
    "ResourceGuid" TEXT NOT NULL,
    "SubscriptionId" TEXT NOT NULL,
    "ResourceGroup" TEXT NOT NULL,
    "Name" TEXT NOT NULL,
    "Key" TEXT NOT NULL,
    "Location" TEXT NOT NULL,
    "AddressPrefixesJson" TEXT NOT NULL,
    "TagsJson" TEXT NULL,
    "CreatedAt" INTEGER NOT NULL
);

CREATE TABLE "Subnets" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_Subnets" PRIMARY KEY AUTOINCREMENT,
    "VirtualNetworkId" INTEGER NOT NULL,
    "Name" TEXT NOT NULL,
    "AddressPrefix" TEXT NOT NULL,
    CONSTRAINT "FK_Subnets_VirtualNetworks_VirtualNetworkId" FOREIGN KEY ("VirtualNetworkId") REFERENCES "VirtualNetworks" ("Id") ON DELETE CASCADE
);

CREATE TABLE "NicIpConfiguration" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_NicIpConfiguration" PRIMARY KEY AUTOINCREMENT,
    "NetworkInterfaceId" INTEGER NOT NULL,
    "Name" TEXT NOT NULL,
    "Primary" INTEGER NOT NULL,
    "SubnetId" INTEGER NOT NULL,
    "PrivateIpAddress" TEXT NOT NULL,
    "PrivateIpAllocationMethod" TEXT NOT NULL,
    "PublicIpAddressId" INTEGER NULL,
    CONSTRAINT "FK_NicIpConfiguration_NetworkInterfaces_NetworkInterfaceId" FOREIGN KEY ("NetworkInterfaceId") REFERENCES "NetworkInterfaces" ("Id") ON DELETE CASCADE,
    CONSTRAINT "FK_NicIpConfiguration_PublicIpAddresses_PublicIpAddressId" FOREIGN KEY ("PublicIpAddressId") REFERENCES "PublicIpAddresses" ("Id") ON DELETE RESTRICT,
    CONSTRAINT "FK_NicIpConfiguration_Subnets_SubnetId" FOREIGN KEY ("SubnetId") REFERENCES "Subnets" ("Id") ON DELETE RESTRICT
);

CREATE UNIQUE INDEX "IX_VirtualMachineDisks_ManagedDiskId" ON "VirtualMachineDisks" ("ManagedDiskId");

CREATE UNIQUE INDEX "IX_ManagedDisks_Key" ON "ManagedDisks" ("Key");

CREATE UNIQUE INDEX "IX_NetworkInterfaces_Key" ON "NetworkInterfaces" ("Key");

CREATE INDEX "IX_NetworkInterfaces_VirtualMachineId" ON "NetworkInterfaces" ("VirtualMachineId");

CREATE INDEX "IX_NicIpConfiguration_NetworkInterfaceId" ON "NicIpConfiguration" ("NetworkInterfaceId");

CREATE INDEX "IX_NicIpConfiguration_PublicIpAddressId" ON "NicIpConfiguration" ("PublicIpAddressId");

CREATE UNIQUE INDEX "IX_NicIpConfiguration_SubnetId_PrivateIpAddress" ON "NicIpConfiguration" ("SubnetId", "PrivateIpAddress");

CREATE UNIQUE INDEX "IX_PublicIpAddresses_IpAddress" ON "PublicIpAddresses" ("IpAddress");

CREATE UNIQUE INDEX "IX_PublicIpAddresses_Key" ON "PublicIpAddresses" ("Key");

CREATE UNIQUE INDEX "IX_Subnets_VirtualNetworkId_Name" ON "Subnets" ("VirtualNetworkId", "Name");

CREATE UNIQUE INDEX "IX_VirtualNetworks_Key" ON "VirtualNetworks" ("Key");

CREATE TABLE "ef_temp_VirtualMachineDisks" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_VirtualMachineDisks" PRIMARY KEY AUTOINCREMENT,
    "BlobContainer" TEXT NOT NULL,
    "BlobName" TEXT NOT NULL,
    "Caching" TEXT NULL,
    "CreateOption" TEXT NULL,
    "DeleteOption" TEXT NULL,
    "DiskSizeGB" INTEGER NOT NULL,
    "Lun" INTEGER NOT NULL,
    "ManagedDiskId" INTEGER NULL,
    "Name" TEXT NOT NULL,
    "VirtualMachineId" INTEGER NOT NULL,
    CONSTRAINT "FK_VirtualMachineDisks_ManagedDisks_ManagedDiskId" FOREIGN KEY ("ManagedDiskId") REFERENCES "ManagedDisks" ("Id") ON DELETE RESTRICT,
    CONSTRAINT "FK_VirtualMachineDisks_VirtualMachines_VirtualMachineId" FOREIGN KEY ("VirtualMachineId") REFERENCES "VirtualMachines" ("Id") ON DELETE CASCADE
);

INSERT INTO "ef_temp_VirtualMachineDisks" ("Id", "BlobContainer", "BlobName", "Caching", "CreateOption", "DeleteOption", "DiskSizeGB", "Lun", "ManagedDiskId", "Name", "VirtualMachineId")
SELECT "Id", "BlobContainer", "BlobName", "Caching", "CreateOption", "DeleteOption", "DiskSizeGB", "Lun", "ManagedDiskId", "Name", "VirtualMachineId"
FROM "VirtualMachineDisks";

PRAGMA foreign_keys = 0;

DROP TABLE "VirtualMachineDisks";

ALTER TABLE "ef_temp_VirtualMachineDisks" RENAME TO "VirtualMachineDisks";

PRAGMA foreign_keys = 1;

CREATE UNIQUE INDEX "IX_VirtualMachineDisks_ManagedDiskId" ON "VirtualMachineDisks" ("ManagedDiskId");

CREATE INDEX "IX_VirtualMachineDisks_VirtualMachineId" ON "VirtualMachineDisks" ("VirtualMachineId");

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261202030109_ComputeNetwork', '10.0.15');

CREATE TABLE "ResourceGuardProxies" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_ResourceGuardProxies" PRIMARY KEY AUTOINCREMENT,
    "VaultId" INTEGER NOT NULL,
    "Name" TEXT NOT NULL,
    "ResourceGuardResourceId" TEXT NOT NULL,
    "Description" TEXT NULL,
    "LastUpdatedTime" INTEGER NOT NULL,
    "UnlockedRequestsJson" TEXT NULL,
    "UnlockedResource" TEXT NULL,
    "UnlockExpiresAt" INTEGER NULL,
    CONSTRAINT "FK_ResourceGuardProxies_Vaults_VaultId" FOREIGN KEY ("VaultId") REFERENCES "Vaults" ("Id") ON DELETE CASCADE
);

CREATE TABLE "ResourceGuards" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_ResourceGuards" PRIMARY KEY AUTOINCREMENT,
    "ETag" TEXT NOT NULL,
    "SubscriptionId" TEXT NOT NULL,
    "ResourceGroup" TEXT NOT NULL,
    "Name" TEXT NOT NULL,
    "Key" TEXT NOT NULL,
    "Location" TEXT NOT NULL,
    "TagsJson" TEXT NULL,
    "Description" TEXT NULL,
    "ExclusionListJson" TEXT NOT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "ModifiedAt" INTEGER NOT NULL
);

CREATE TABLE "RoleAssignments" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_RoleAssignments" PRIMARY KEY AUTOINCREMENT,
    "Name" TEXT NOT NULL,
    "Scope" TEXT NOT NULL,
    "ScopeKey" TEXT NOT NULL,
    "RoleDefinitionName" TEXT NOT NULL,
    "PrincipalId" TEXT NOT NULL,
    "PrincipalType" TEXT NOT NULL,
    "Description" TEXT NULL,
    "CreatedBy" TEXT NOT NULL,
    "CreatedOn" INTEGER NOT NULL
);

CREATE INDEX "IX_ResourceGuardProxies_ResourceGuardResourceId" ON "ResourceGuardProxies" ("ResourceGuardResourceId");

CREATE UNIQUE INDEX "IX_ResourceGuardProxies_VaultId_Name" ON "ResourceGuardProxies" ("VaultId", "Name");

CREATE UNIQUE INDEX "IX_ResourceGuards_Key" ON "ResourceGuards" ("Key");

CREATE UNIQUE INDEX "IX_RoleAssignments_Name" ON "RoleAssignments" ("Name");

CREATE INDEX "IX_RoleAssignments_PrincipalId_ScopeKey" ON "RoleAssignments" ("PrincipalId", "ScopeKey");

CREATE INDEX "IX_RoleAssignments_ScopeKey" ON "RoleAssignments" ("ScopeKey");

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261202051204_ResourceGuardsRbac', '10.0.15');

ALTER TABLE "Vaults" ADD "SettingsJson" TEXT NULL;

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261202052113_VaultSettings', '10.0.15');

CREATE TABLE "Deployments" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Deployments" PRIMARY KEY,
    "SubscriptionId" TEXT NOT NULL,
    "ResourceGroup" TEXT NULL,
    "Name" TEXT NOT NULL,
    "Key" TEXT NOT NULL,
    "Location" TEXT NULL,
    "Mode" TEXT NOT NULL,
    "TemplateJson" TEXT NOT NULL,
    "TemplateLink" TEXT NULL,
    "RequestParametersJson" TEXT NULL,
    "ParametersJson" TEXT NULL,
    "TemplateHash" TEXT NOT NULL,
    "ProvisioningState" TEXT NOT NULL,
    "OperationId" TEXT NOT NULL,
    "CorrelationId" TEXT NOT NULL,
    "Timestamp" INTEGER NOT NULL,
    "StartedAt" INTEGER NOT NULL,
    "Duration" TEXT NOT NULL,
    "OutputsJson" TEXT NULL,
    "OutputResourcesJson" TEXT NULL,
    "DependenciesJson" TEXT NULL,
    "ErrorJson" TEXT NULL,
    "CallerObjectId" TEXT NULL,
    "CallerAppId" TEXT NULL
);

CREATE TABLE "DeploymentOperations" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_DeploymentOperations" PRIMARY KEY AUTOINCREMENT,
    "DeploymentId" TEXT NOT NULL,
    "OperationId" TEXT NOT NULL,
    "ResourceId" TEXT NOT NULL,
    "ResourceType" TEXT NOT NULL,
    "ResourceName" TEXT NOT NULL,
    "ProvisioningOperation" TEXT NOT NULL,
    "ProvisioningState" TEXT NOT NULL,
    "StatusCode" TEXT NULL,
    "StatusMessageJson" TEXT NULL,
    "Timestamp" INTEGER NOT NULL,
    "Duration" TEXT NOT NULL,
    CONSTRAINT "FK_DeploymentOperations_Deployments_DeploymentId" FOREIGN KEY ("DeploymentId") REFERENCES "Deployments" ("Id") ON DELETE CASCADE
);

CREATE UNIQUE INDEX "IX_DeploymentOperations_DeploymentId_OperationId" ON "DeploymentOperations" ("DeploymentId", "OperationId");

CREATE UNIQUE INDEX "IX_Deployments_Key" ON "Deployments" ("Key");

CREATE INDEX "IX_Deployments_SubscriptionId_ResourceGroup" ON "Deployments" ("SubscriptionId", "ResourceGroup");

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261202053045_Deployments', '10.0.15');

ALTER TABLE "RecoveryPoints" ADD "DiskConfigurationJson" TEXT NULL;

ALTER TABLE "ProtectedItems" ADD "DiskExclusionJson" TEXT NULL;

ALTER TABLE "AgentTasks" ADD "DiskExclusionJson" TEXT NULL;

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261202060330_DiskExclusion', '10.0.15');

ALTER TABLE "RecoveryPoints" ADD "ArchivedRpStatus" TEXT NULL;

ALTER TABLE "RecoveryPoints" ADD "RehydratedRpExpiryTime" INTEGER NULL;

ALTER TABLE "BackupPolicies" ADD "TieringPolicyJson" TEXT NULL;

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261202093100_ArchiveTier', '10.0.15');

ALTER TABLE "RecoveryPoints" ADD "IlrSessionContainer" TEXT NULL;

ALTER TABLE "RecoveryPoints" ADD "IlrSessionExpiry" INTEGER NULL;

ALTER TABLE "BackupJobs" ADD "Region" TEXT NULL;

ALTER TABLE "AsyncOperations" ADD "PropertiesJson" TEXT NULL;

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261202094145_CrossRegionRestore', '10.0.15');

ALTER TABLE "BackupPolicies" ADD "EnhancedJson" TEXT NULL;

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261202100836_EnhancedPolicy', '10.0.15');

ALTER TABLE "RecoveryPoints" ADD "VmStateJson" TEXT NULL;

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261202104101_RestoreModes', '10.0.15');

