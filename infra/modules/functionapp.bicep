// The function app: Azure Functions on Azure Container Apps (a container app of kind 'functionapp'), running the
// image built from the repository's Dockerfile, which carries ffmpeg and ffprobe. The Container Apps environment
// sends its logs to Log Analytics through Azure Monitor diagnostic settings (no workspace shared key).
//
// Every setting the app reads in production is set here (Orchard.Tests/Infra/BicepTests checks the compiled template).

@description('Name of the container app (2-32 lowercase letters, digits and dashes).')
@minLength(2)
@maxLength(32)
param name string

@description('Name of the Container Apps environment.')
param environmentName string

@description('Azure region of the environment and the app.')
param location string

@description('Tags applied to the environment and the app.')
param tags object

@description('Container image of the app, e.g. myregistry.azurecr.io/orchard:1.')
param image string

@description('Registry login server the app pulls from with its identity.')
param registryServer string

@description('vCPUs per replica (Consumption profile: 0.25-4, memory 2 GiB per vCPU; ephemeral disk grows with it).')
param cpuCores string

@description('Memory per replica, twice the vCPUs, e.g. 4Gi for 2 vCPUs.')
param memory string

@description('Replicas kept running. At least 1: Durable Functions on the Azure Storage backend does not wake a stopped app.')
@minValue(1)
param minReplicas int

@description('Most replicas the event-driven scaler may start.')
@minValue(1)
param maxReplicas int

@description('Resource id of the user-assigned identity the app runs as.')
param identityId string

@description('Client id of that identity.')
param identityClientId string

@description('Resource id of the Log Analytics workspace receiving the environment\'s logs.')
param workspaceId string

@description('Application Insights connection string.')
param appInsightsConnectionString string

@description('Name of the storage account (identity-based AzureWebJobsStorage).')
param storageAccountName string

@description('Blob endpoint of the storage account.')
param blobEndpoint string

@description('Queue endpoint of the storage account.')
param queueEndpoint string

@description('Table endpoint of the storage account.')
param tableEndpoint string

@description('Blob container of recordings, chunks and transcripts (Storage:ContainerName).')
param containerName string

@description('URI of the Key Vault holding the app\'s secrets.')
param keyVaultUri string

@description('Key Vault secret holding the Redis connection string.')
param redisSecretName string

resource environment 'Microsoft.App/managedEnvironments@2025-07-01' = {
  name: environmentName
  location: location
  tags: tags
  properties: {
    appLogsConfiguration: {
      destination: 'azure-monitor'
    }
    workloadProfiles: [
      {
        name: 'Consumption'
        workloadProfileType: 'Consumption'
      }
    ]
  }
}

resource environmentLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'logs-to-workspace'
  scope: environment
  properties: {
    workspaceId: workspaceId
    logs: [
      {
        categoryGroup: 'allLogs'
        enabled: true
      }
    ]
  }
}

// Secrets are Key Vault references resolved with the app identity: the values never appear in the template, the
// deployment history or the app's configuration, and a rotated secret reaches the app without a redeployment.
var baseSecrets = [
  {
    name: 'redis-connection-string'
    keyVaultUrl: '${keyVaultUri}secrets/${redisSecretName}'
    identity: identityId
  }
]
var baseSettings = [
  { name: 'FUNCTIONS_WORKER_RUNTIME', value: 'dotnet-isolated' }
  // Production turns off the development-only defaults (State:FallbackToMemory above all).
  { name: 'AZURE_FUNCTIONS_ENVIRONMENT', value: 'Production' }
  { name: 'AZURE_CLIENT_ID', value: identityClientId }
  // The host, its key store, the timers' locks, the Durable Task backend and the app's own blob client (Orchard's
  // StorageConnection reads these same settings) reach storage as the app identity.
  { name: 'AzureWebJobsStorage__accountName', value: storageAccountName }
  { name: 'AzureWebJobsStorage__blobServiceUri', value: blobEndpoint }
  { name: 'AzureWebJobsStorage__queueServiceUri', value: queueEndpoint }
  { name: 'AzureWebJobsStorage__tableServiceUri', value: tableEndpoint }
  { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
  { name: 'AzureWebJobsStorage__clientId', value: identityClientId }
  { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: appInsightsConnectionString }
  { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'ClientId=${identityClientId};Authorization=AAD' }
  { name: 'State__RedisConnectionString', secretRef: 'redis-connection-string' }
  // Several replicas must share one registry: a missing Redis stops start-up instead of running on memory.
  { name: 'State__FallbackToMemory', value: 'false' }
  { name: 'State__JobRetention', value: '01:00:00' }
  { name: 'State__WorkerOfflineAfter', value: '00:01:00' }
  { name: 'State__WorkerExpiry', value: '00:05:00' }
  // Worker and callback URLs: public https only in the cloud (the LAN settings are for the local host).
  { name: 'Workers__AllowPrivateNetworks', value: 'false' }
  { name: 'Workers__AllowHttp', value: 'false' }
  { name: 'Storage__ContainerName', value: containerName }
  // The real host disables a timer whose %setting% is missing, and keeps running without it.
  { name: 'Timers__WorkerSweep', value: '0 * * * * *' }
  { name: 'Timers__JobCleanup', value: '30 * * * * *' }
]
resource app 'Microsoft.App/containerApps@2025-07-01' = {
  name: name
  location: location
  tags: tags
  kind: 'functionapp'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    managedEnvironmentId: environment.id
    workloadProfileName: 'Consumption'
    configuration: {
      activeRevisionsMode: 'Single'
      ingress: {
        external: true
        targetPort: 80
        transport: 'auto'
        allowInsecure: false
      }
      registries: [
        {
          server: registryServer
          identity: identityId
        }
      ]
      secrets: baseSecrets
    }
    template: {
      containers: [
        {
          name: 'orchard'
          image: image
          env: baseSettings
          resources: {
            cpu: json(cpuCores)
            memory: memory
          }
        }
      ]
      scale: {
        minReplicas: minReplicas
        maxReplicas: maxReplicas
      }
    }
  }
}

@description('Name of the container app.')
output name string = app.name

@description('Public host name of the app (https).')
output fqdn string = app.properties.configuration.ingress.fqdn
