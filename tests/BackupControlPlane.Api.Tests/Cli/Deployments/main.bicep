// A quickstart-like Azure Backup setup for one existing VM: the vault, a daily policy and the VM's protection.
// Deployed by DeploymentCliTests with `az deployment group create --template-file main.bicep`.
@description('Name of the Recovery Services vault to create')
param vaultName string

@description('Name of an existing VM in this resource group to protect')
param vmName string

param location string = resourceGroup().location

@minValue(7)
@maxValue(9999)
@description('Days each daily recovery point is kept')
param dailyRetentionDays int = 30

param policyName string = 'daily-policy'

var containerName = 'iaasvmcontainer;iaasvmcontainerv2;${resourceGroup().name};${vmName}'
var itemName = 'vm;iaasvmcontainerv2;${resourceGroup().name};${vmName}'
var runTime = '2024-01-01T02:30:00Z'

resource vm 'Microsoft.Compute/virtualMachines@2024-07-01' existing = {
  name: vmName
}

resource vault 'Microsoft.RecoveryServices/vaults@2025-02-01' = {
  name: vaultName
  location: location
  sku: {
    name: 'RS0'
    tier: 'Standard'
  }
  properties: {}
}

resource policy 'Microsoft.RecoveryServices/vaults/backupPolicies@2025-02-01' = {
  parent: vault
  name: policyName
  properties: {
    backupManagementType: 'AzureIaasVM'
    instantRpRetentionRangeInDays: 2
    timeZone: 'UTC'
    schedulePolicy: {
      schedulePolicyType: 'SimpleSchedulePolicy'
      scheduleRunFrequency: 'Daily'
      scheduleRunTimes: [runTime]
    }
    retentionPolicy: {
      retentionPolicyType: 'LongTermRetentionPolicy'
      dailySchedule: {
        retentionTimes: [runTime]
        retentionDuration: {
          count: dailyRetentionDays
          durationType: 'Days'
        }
      }
    }
  }
}

resource protectedItem 'Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems@2025-02-01' = {
  name: '${vaultName}/Azure/${containerName}/${itemName}'
  properties: {
    protectedItemType: 'Microsoft.Compute/virtualMachines'
    policyId: policy.id
    sourceResourceId: vm.id
  }
}

output vaultId string = vault.id
output policyId string = policy.id
output protectedItemId string = protectedItem.id
output vmLocation string = vm.location
