// Log Analytics for the Container Apps environment and a workspace-based Application Insights for the Functions host.
// Application Insights takes only Entra-authenticated telemetry (disableLocalAuth): the app's identity publishes
// with Monitoring Metrics Publisher, so the connection string alone cannot be used to write into it.

@description('Name of the Log Analytics workspace.')
param workspaceName string

@description('Name of the Application Insights component.')
param appInsightsName string

@description('Azure region of both resources.')
param location string

@description('Tags applied to both resources.')
param tags object

@description('Days the workspace keeps logs (30 is included in the ingestion price).')
@minValue(30)
@maxValue(730)
param retentionInDays int

@description('Principal id of the app identity that publishes telemetry.')
param publisherPrincipalId string

// Monitoring Metrics Publisher: the least role that lets an identity send telemetry to Application Insights.
var monitoringMetricsPublisher = '3913510d-42f4-4e42-8a64-420c390055eb'

resource workspace 'Microsoft.OperationalInsights/workspaces@2025-02-01' = {
  name: workspaceName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: appInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    DisableLocalAuth: true
  }
}

resource publisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, publisherPrincipalId, monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisher)
    principalId: publisherPrincipalId
    principalType: 'ServicePrincipal'
  }
}

@description('Resource id of the Log Analytics workspace.')
output workspaceId string = workspace.id

@description('Application Insights connection string (APPLICATIONINSIGHTS_CONNECTION_STRING); not a credential, since local auth is off.')
output appInsightsConnectionString string = appInsights.properties.ConnectionString
