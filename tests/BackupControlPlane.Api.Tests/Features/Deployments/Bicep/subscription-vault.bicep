// A subscription-scope deployment: it creates a resource group and deploys a vault into it through a module, as
// `az deployment sub create` does. Compiled in TemplateBicepTests.
targetScope = 'subscription'

param groupName string
param location string = deployment().location

resource group 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: groupName
  location: location
}

module vault 'vault-only.bicep' = {
  name: 'vault'
  scope: group
  params: {
    location: location
  }
}

output groupId string = group.id
