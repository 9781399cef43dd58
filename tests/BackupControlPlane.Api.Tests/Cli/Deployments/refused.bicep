// A template the emulator refuses halfway: the vault is created, the hourly (Enhanced) policy is refused by the
// policy route (every 5 hours: Azure allows 4, 6, 8 or 12), so the deployment fails with DeploymentFailed and the
// refusal in its details.
param vaultName string
param location string = resourceGroup().location

resource vault 'Microsoft.RecoveryServices/vaults@2025-02-01' = {
  name: vaultName
  location: location
  sku: {
    name: 'RS0'
    tier: 'Standard'
  }
  properties: {}
}

resource hourly 'Microsoft.RecoveryServices/vaults/backupPolicies@2025-02-01' = {
  parent: vault
  name: 'hourly'
  properties: {
    backupManagementType: 'AzureIaasVM'
    policyType: 'V2'
    schedulePolicy: {
      schedulePolicyType: 'SimpleSchedulePolicyV2'
      scheduleRunFrequency: 'Hourly'
      hourlySchedule: {
        interval: 5
        scheduleWindowStartTime: '2024-01-01T08:00:00Z'
        scheduleWindowDuration: 12
      }
    }
    retentionPolicy: {
      retentionPolicyType: 'LongTermRetentionPolicy'
      dailySchedule: {
        retentionTimes: ['2024-01-01T08:00:00Z']
        retentionDuration: {
          count: 30
          durationType: 'Days'
        }
      }
    }
  }
}
