// The module of subscription-vault.bicep: one vault named after its group.
param location string

resource vault 'Microsoft.RecoveryServices/vaults@2023-04-01' = {
  name: 'vault-${resourceGroup().name}'
  location: location
  sku: {
    name: 'RS0'
    tier: 'Standard'
  }
  properties: {}
}
