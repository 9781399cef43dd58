// The module of vault-with-protection.bicep: soft delete and enhanced security on an existing vault.
param vaultName string

resource vault 'Microsoft.RecoveryServices/vaults@2023-04-01' existing = {
  name: vaultName
}

resource config 'Microsoft.RecoveryServices/vaults/backupconfig@2023-04-01' = {
  parent: vault
  name: 'vaultconfig'
  properties: {
    softDeleteFeatureState: 'Enabled'
    enhancedSecurityState: 'Enabled'
  }
}

output configId string = config.id
