// User-defined types make Bicep emit languageVersion 2.0 (resources by symbolic name, `existing` resources, definitions);
// also a user-defined function, lambdas, safe access and a loop with a condition. Compiled in TemplateBicepTests.
type policySpec = {
  name: string
  @minValue(7)
  days: int
  weekly: bool?
}

param vaultName string
param policies policySpec[] = [
  { name: 'daily30', days: 30 }
  { name: 'daily7', days: 7, weekly: true }
]
param protectVm bool = false

func policyLabel(spec policySpec) string => '${toUpper(spec.name)}-${spec.days}d'

var longOnes = filter(policies, p => p.days > 10)
var labels = map(policies, p => policyLabel(p))

resource vault 'Microsoft.RecoveryServices/vaults@2023-04-01' existing = {
  name: vaultName
}

resource backupPolicies 'Microsoft.RecoveryServices/vaults/backupPolicies@2023-04-01' = [for spec in policies: {
  parent: vault
  name: spec.name
  properties: {
    backupManagementType: 'AzureIaasVM'
    timeZone: 'UTC'
    schedulePolicy: {
      schedulePolicyType: 'SimpleSchedulePolicy'
      scheduleRunFrequency: (spec.?weekly ?? false) ? 'Weekly' : 'Daily'
    }
    retentionPolicy: {
      retentionPolicyType: 'LongTermRetentionPolicy'
      dailySchedule: {
        retentionDuration: {
          count: spec.days
          durationType: 'Days'
        }
      }
    }
  }
}]

resource vm 'Microsoft.Compute/virtualMachines@2023-03-01' existing = if (protectVm) {
  name: 'vm1'
}

output vaultLocation string = vault.location
output labels array = labels
output longCount int = length(longOnes)
output firstPolicyId string = backupPolicies[0].id
