// The container registry holding the Orchard image; the app pulls with its identity (AcrPull), no admin user.

@description('Name of the registry (5-50 letters and digits, globally unique).')
@minLength(5)
@maxLength(50)
param name string

@description('Azure region of the registry.')
param location string

@description('Tags applied to the registry.')
param tags object

@description('Principal id of the app identity, granted AcrPull.')
param pullPrincipalId string

var acrPull = '7f951dda-4ed3-4680-a7ca-43fe172d538d'

resource registry 'Microsoft.ContainerRegistry/registries@2025-04-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: 'Basic'
  }
  properties: {
    adminUserEnabled: false
    anonymousPullEnabled: false
    publicNetworkAccess: 'Enabled'
  }
}

resource pull 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(registry.id, pullPrincipalId, acrPull)
  scope: registry
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', acrPull)
    principalId: pullPrincipalId
    principalType: 'ServicePrincipal'
  }
}

@description('Name of the registry (for az acr build -r).')
output name string = registry.name

@description('Login server, e.g. name.azurecr.io.')
output loginServer string = registry.properties.loginServer
