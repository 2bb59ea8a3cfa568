// Azure Managed Redis, TLS only. Non-clustered: Orchard's Lua scripts touch several keys at once (a job's record, its
// chunks and the indexes), which a clustered policy would refuse across hash slots (CROSSSLOT). The app reads a
// StackExchange.Redis connection string, so access keys stay on and the string lives in Key Vault.

@description('Name of the Azure Managed Redis cluster (globally unique DNS label).')
param name string

@description('Azure region of the cache.')
param location string

@description('Tags applied to the cache.')
param tags object

@description('Azure Managed Redis SKU; Balanced_B0 is the smallest (0.5 GB), ample for Orchard\'s registry and live job views.')
param skuName string

@description('Key Vault receiving the connection string as the secret redis-connection-string.')
param keyVaultName string

resource cluster 'Microsoft.Cache/redisEnterprise@2025-07-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: skuName
  }
  properties: {
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
  }
}

resource database 'Microsoft.Cache/redisEnterprise/databases@2025-07-01' = {
  parent: cluster
  name: 'default'
  properties: {
    clientProtocol: 'Encrypted'
    port: 10000
    clusteringPolicy: 'NoCluster'
    // A full cache must refuse writes, never silently evict a running job's record or a worker's claim.
    evictionPolicy: 'NoEviction'
    accessKeysAuthentication: 'Enabled'
  }
}

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' existing = {
  name: keyVaultName
}

resource connection 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = {
  parent: vault
  name: 'redis-connection-string'
  properties: {
    contentType: 'StackExchange.Redis connection string'
    value: '${cluster.properties.hostName}:${database.properties.port},password=${database.listKeys().primaryKey},ssl=True,abortConnect=False'
  }
}

@description('Host name of the cache.')
output hostName string = cluster.properties.hostName

@description('Name of the Key Vault secret holding the connection string.')
output connectionSecretName string = connection.name
