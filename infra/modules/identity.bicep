// The one identity the function app runs as: every data-plane role below is granted to it and nothing else.

@description('Name of the user-assigned managed identity.')
param name string

@description('Azure region of the identity.')
param location string

@description('Tags applied to the identity.')
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: name
  location: location
  tags: tags
}

@description('Resource id of the identity (for the app, the registry pull and Key Vault references).')
output id string = identity.id

@description('Client id of the identity (AzureWebJobsStorage__clientId, AZURE_CLIENT_ID).')
output clientId string = identity.properties.clientId

@description('Principal (object) id of the identity, for role assignments.')
output principalId string = identity.properties.principalId
