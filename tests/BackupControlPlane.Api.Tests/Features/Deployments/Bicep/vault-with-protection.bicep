// A Recovery Services vault with its storage redundancy, a daily policy, protection of existing VMs and a module that
// sets soft delete: what Azure's quickstart templates declare. Compiled by the real Bicep CLI in TemplateBicepTests.
param vaultName string = 'vault${uniqueString(resourceGroup().id)}'
param location string = resourceGroup().location
param vmNames array = [
  'vm1'
  'vm2'
]
@minValue(7)
@maxValue(9999)
param retentionDays int = 30
@allowed([
  'LocallyRedundant'
  'GeoRedundant'
])
param storageType string = 'LocallyRedundant'

var policyName = 'DailyPolicy'
var scheduleTime = '2026-01-01T22:00:00Z'

resource vault 'Microsoft.RecoveryServices/vaults@2023-04-01' = {
  name: vaultName
  location: location
  sku: {
    name: 'RS0'
    tier: 'Standard'
  }
  properties: {
    publicNetworkAccess: 'Enabled'
  }
}

resource storageConfig 'Microsoft.RecoveryServices/vaults/backupstorageconfig@2023-04-01' = {
  parent: vault
  name: 'vaultstorageconfig'
  properties: {
    storageModelType: storageType
  }
}

resource policy 'Microsoft.RecoveryServices/vaults/backupPolicies@2023-04-01' = {
  parent: vault
  name: policyName
  properties: {
    backupManagementType: 'AzureIaasVM'
    instantRpRetentionRangeInDays: 2
    timeZone: 'UTC'
    schedulePolicy: {
      schedulePolicyType: 'SimpleSchedulePolicy'
      scheduleRunFrequency: 'Daily'
      scheduleRunTimes: [
        scheduleTime
      ]
    }
    retentionPolicy: {
      retentionPolicyType: 'LongTermRetentionPolicy'
      dailySchedule: {
        retentionTimes: [
          scheduleTime
        ]
        retentionDuration: {
          count: retentionDays
          durationType: 'Days'
        }
      }
    }
  }
}

resource vms 'Microsoft.Compute/virtualMachines@2023-03-01' existing = [for name in vmNames: {
  name: name
}]

resource protectedItems 'Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems@2023-04-01' = [for (name, i) in vmNames: {
  name: '${vaultName}/Azure/iaasvmcontainer;iaasvmcontainerv2;${resourceGroup().name};${name}/vm;iaasvmcontainerv2;${resourceGroup().name};${name}'
  properties: {
    protectedItemType: 'Microsoft.Compute/virtualMachines'
    policyId: policy.id
    sourceResourceId: vms[i].id
  }
  dependsOn: [
    storageConfig
  ]
}]

module softDelete 'soft-delete.bicep' = {
  name: 'softDelete'
  params: {
    vaultName: vault.name
  }
}

output vaultId string = vault.id
output retention int = policy.properties.retentionPolicy.dailySchedule.retentionDuration.count
output itemNames array = [for (name, i) in vmNames: protectedItems[i].name]
output moduleConfigId string = softDelete.outputs.configId
