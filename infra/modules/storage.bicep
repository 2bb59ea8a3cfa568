// The storage account: the Functions host (keys, timers' locks), the Durable Task backend (queues, tables, blobs of
// the task hub) and Orchard's own audio, chunks and transcripts in one container. The app identity gets exactly the
// three data roles the identity-based AzureWebJobsStorage connection needs. Shared keys are off: the host, the Durable
// Task backend and the app all sign in as that identity, and /uploads signs its SAS URLs with a user delegation key.

@description('Name of the storage account (3-24 lowercase letters and digits, globally unique).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region of the account.')
param location string

@description('Tags applied to the account.')
param tags object

@description('Blob container holding every recording, chunk, answer and transcript (Storage:ContainerName).')
param containerName string

@description('Origins allowed to PUT uploads from a browser to the SAS URLs of POST /uploads; empty: no CORS rule.')
param corsAllowedOrigins array

@description('Principal id of the app identity, granted blob, queue and table data roles.')
param dataPrincipalId string

// Blob Data Owner rather than Contributor: the Functions host documents Owner for identity-based AzureWebJobsStorage
// (it manages blob leases and its key store's containers). It also lets the app ask for user delegation keys.
var storageBlobDataOwner = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
var storageQueueDataContributor = '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
var storageTableDataContributor = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
var dataRoles = [
  storageBlobDataOwner
  storageQueueDataContributor
  storageTableDataContributor
]

resource account 'Microsoft.Storage/storageAccounts@2025-01-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    publicNetworkAccess: 'Enabled'
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-01-01' = {
  parent: account
  name: 'default'
  properties: {
    cors: {
      // Browsers send the upload with PUT (Put Blob, or Put Block + Put Block List to resume) after a preflight.
      corsRules: empty(corsAllowedOrigins) ? [] : [
        {
          allowedOrigins: corsAllowedOrigins
          allowedMethods: [
            'PUT'
            'OPTIONS'
          ]
          allowedHeaders: [
            'x-ms-*'
            'content-type'
            'content-length'
            'content-md5'
          ]
          exposedHeaders: [
            'x-ms-*'
            'etag'
          ]
          maxAgeInSeconds: 3600
        }
      ]
    }
  }
}

resource container 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' = {
  parent: blobService
  name: containerName
  properties: {
    publicAccess: 'None'
  }
}

resource dataAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in dataRoles: {
    name: guid(account.id, dataPrincipalId, role)
    scope: account
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
      principalId: dataPrincipalId
      principalType: 'ServicePrincipal'
    }
  }
]

@description('Name of the storage account.')
output name string = account.name

@description('Blob endpoint, e.g. https://name.blob.core.windows.net/.')
output blobEndpoint string = account.properties.primaryEndpoints.blob

@description('Queue endpoint.')
output queueEndpoint string = account.properties.primaryEndpoints.queue

@description('Table endpoint.')
output tableEndpoint string = account.properties.primaryEndpoints.table
