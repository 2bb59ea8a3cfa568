// Orchard in Azure: the function app on Azure Container Apps (with ffmpeg, from the repository's Dockerfile), its
// storage account, Azure Managed Redis, Key Vault, Application Insights with Log Analytics, a container registry,
// and the one user-assigned identity every data-plane permission is granted to. See README, "Deploying to Azure".
//
//   az deployment group create -g <group> -f infra/main.bicep -p image=<registry>.azurecr.io/orchard:<tag>

targetScope = 'resourceGroup'

@description('Azure region of every resource; the resource group\'s by default.')
param location string = resourceGroup().location

@description('Short prefix of every resource name (2-10 letters and digits; lowercased).')
@minLength(2)
@maxLength(10)
param namePrefix string = 'orchard'

@description('Container image of the app. The default, the bare Functions base image, lets a first deployment create the registry before the Orchard image is pushed; deploy again with <registry>.azurecr.io/orchard:<tag>.')
param image string = 'mcr.microsoft.com/azure-functions/dotnet-isolated:4-dotnet-isolated10.0'

@description('Origins allowed to upload from a browser to the SAS URLs of POST /uploads, e.g. ["https://orchard.example.org"]; empty: no browser uploads.')
param corsAllowedOrigins array = []

@description('Azure Managed Redis SKU.')
@allowed([
  'Balanced_B0'
  'Balanced_B1'
  'Balanced_B3'
  'Balanced_B5'
])
param redisSku string = 'Balanced_B0'

@description('vCPUs per replica, as a string (Consumption profile: 0.25-4). 2 vCPUs bring 8 GiB of ephemeral disk, which a 2 GB upload and its 12-hour decode need.')
param cpuCores string = '2.0'

@description('Memory per replica: twice the vCPUs (Consumption profile), e.g. 4Gi for 2 vCPUs.')
param memory string = '4Gi'

@description('Replicas always running. At least 1: Durable Functions on the Azure Storage backend does not scale a Container App up from zero.')
@minValue(1)
@maxValue(10)
param minReplicas int = 1

@description('Most replicas the Functions scaler may run.')
@minValue(1)
@maxValue(30)
param maxReplicas int = 3

@description('Days Log Analytics keeps logs and telemetry.')
@minValue(30)
@maxValue(730)
param logRetentionDays int = 30

@description('Tags applied to every resource.')
param tags object = {
  application: 'orchard'
}

var suffix = uniqueString(resourceGroup().id)
// Lowercase everywhere (container apps, storage); no dashes where names allow only letters and digits.
var prefix = toLower(namePrefix)
var compactPrefix = replace(prefix, '-', '')
// One home for the container name: the storage account creates it, the app is told it (Storage__ContainerName).
var audioContainerName = 'orchard'

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: '${prefix}-id-${suffix}'
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    workspaceName: '${prefix}-log-${suffix}'
    appInsightsName: '${prefix}-appi-${suffix}'
    location: location
    tags: tags
    retentionInDays: logRetentionDays
    publisherPrincipalId: identity.outputs.principalId
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyVault'
  params: {
    name: take('${compactPrefix}kv${suffix}', 24)
    location: location
    tags: tags
    readerPrincipalId: identity.outputs.principalId
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: take('${compactPrefix}st${suffix}', 24)
    location: location
    tags: tags
    containerName: audioContainerName
    corsAllowedOrigins: corsAllowedOrigins
    dataPrincipalId: identity.outputs.principalId
  }
}

module redis 'modules/redis.bicep' = {
  name: 'redis'
  params: {
    name: '${prefix}-redis-${suffix}'
    location: location
    tags: tags
    skuName: redisSku
    keyVaultName: keyVault.outputs.name
  }
}

module registry 'modules/registry.bicep' = {
  name: 'registry'
  params: {
    name: take('${compactPrefix}cr${suffix}', 50)
    location: location
    tags: tags
    pullPrincipalId: identity.outputs.principalId
  }
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionApp'
  params: {
    name: '${prefix}-app'
    environmentName: '${prefix}-env-${suffix}'
    location: location
    tags: tags
    image: image
    registryServer: registry.outputs.loginServer
    cpuCores: cpuCores
    memory: memory
    minReplicas: minReplicas
    maxReplicas: maxReplicas
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    workspaceId: monitoring.outputs.workspaceId
    appInsightsConnectionString: monitoring.outputs.appInsightsConnectionString
    storageAccountName: storage.outputs.name
    blobEndpoint: storage.outputs.blobEndpoint
    queueEndpoint: storage.outputs.queueEndpoint
    tableEndpoint: storage.outputs.tableEndpoint
    containerName: audioContainerName
    keyVaultUri: keyVault.outputs.uri
    redisSecretName: redis.outputs.connectionSecretName
  }
}

@description('Base URL of the Orchard API (no /api prefix), e.g. https://orchard-app.<env>.<region>.azurecontainerapps.io.')
output appUrl string = 'https://${functionApp.outputs.fqdn}'

@description('Name of the container app (for az containerapp function keys list).')
output appName string = functionApp.outputs.name

@description('Name of the container registry (for az acr build -r).')
output registryName string = registry.outputs.name

@description('Login server of the container registry: push the image there and pass it back as image.')
output registryLoginServer string = registry.outputs.loginServer

@description('Name of the Key Vault holding the app\'s secrets.')
output keyVaultName string = keyVault.outputs.name

@description('Name of the storage account.')
output storageAccountName string = storage.outputs.name

@description('Host name of the Redis cache.')
output redisHostName string = redis.outputs.hostName

@description('Client id of the app\'s managed identity.')
output identityClientId string = identity.outputs.clientId
