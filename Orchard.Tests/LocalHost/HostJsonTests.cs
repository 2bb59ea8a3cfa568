using Microsoft.Extensions.Configuration;
using Orchard.LocalHost;
using Orchard.LocalHost.Engine;
using Orchard.Tests.Infrastructure;

namespace Orchard.Tests.LocalHost;

public sealed class HostJsonTests
{
    [Fact]
    public void Parse_ReadsPrefixTimeoutAndDurableSettings_CaseInsensitively()
    {
        var hostJson = HostJson.Parse("""
            {
              "version": "2.0",
              "functionTimeout": "00:20:00",
              "extensions": {
                "HTTP": { "routePrefix": "" },
                "durableTask": {
                  "hubName": "ProdHub",
                  "maxConcurrentActivityFunctions": 64,
                  "MaxConcurrentOrchestratorFunctions": 16,
                  "storageProvider": { "partitionCount": 2, "maxQueuePollingInterval": "00:00:01", "workItemQueueVisibilityTimeout": "00:12:00" }
                }
              }
            }
            """);

        Assert.Equal("", hostJson.RoutePrefix);
        Assert.Equal(TimeSpan.FromMinutes(20), hostJson.FunctionTimeout);
        var options = Bind(hostJson, []);
        Assert.Equal("ProdHub", options.TaskHubName);
        Assert.Equal(64, options.MaxConcurrentActivities);
        Assert.Equal(16, options.MaxConcurrentOrchestrations);
        Assert.Equal(2, options.PartitionCount);
        Assert.Equal(TimeSpan.FromSeconds(1), options.MaxQueuePollingInterval);
        Assert.Equal(TimeSpan.FromMinutes(12), options.WorkItemVisibilityTimeout);
        Assert.Equal(TimeSpan.FromMinutes(20), options.ActivityTimeout);
    }

    [Fact]
    public void Parse_UsesTheHostsDefaultPrefix_WhenHostJsonNamesNone()
    {
        Assert.Equal("api", HostJson.Parse("""{ "version": "2.0" }""").RoutePrefix);
    }

    [Fact]
    public void AddEngineDefaults_LetsAnExplicitDurableEngineSettingWin_OverHostJson()
    {
        var hostJson = HostJson.Parse("""{ "extensions": { "durableTask": { "storageProvider": { "maxQueuePollingInterval": "00:00:01", "workItemQueueVisibilityTimeout": "00:12:00" } } } }""");

        var options = Bind(hostJson, new() { ["DurableEngine:MaxQueuePollingInterval"] = "00:00:00.050" });

        Assert.Equal(TimeSpan.FromMilliseconds(50), options.MaxQueuePollingInterval);
        Assert.Equal(TimeSpan.FromMinutes(12), options.WorkItemVisibilityTimeout);
    }

    [Fact]
    public void AddEngineDefaults_ResolvesHubNameFromAppSetting_WhenItIsASetting()
    {
        var hostJson = HostJson.Parse("""{ "extensions": { "durableTask": { "hubName": "%HubSetting%" } } }""");

        var options = Bind(hostJson, new() { ["HubSetting"] = "FromSetting" });

        Assert.Equal("FromSetting", options.TaskHubName);
    }

    [Fact]
    public void AddEngineDefaults_FailsStartUpNamingTheSetting_WhenHubNameSettingDoesNotResolve()
    {
        var hostJson = HostJson.Parse("""{ "extensions": { "durableTask": { "hubName": "%HubSetting%" } } }""");

        var error = Assert.Throws<InvalidOperationException>(() => Bind(hostJson, []));

        Assert.Contains("'HubSetting' is not set", error.Message, StringComparison.Ordinal);
        Assert.Contains("Task hub name '%HubSetting%' should contain only alphanumeric characters", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ReadsTheRepositoryHostJson_AsTheLocalHostDoes()
    {
        var copied = HostJson.Load(HostJson.DefaultPath);
        var repository = HostJson.Parse(File.ReadAllText(RepositoryFiles.PathOf("host.json")));

        Assert.Equal(repository.RoutePrefix, copied.RoutePrefix);
        Assert.Equal(repository.FunctionTimeout, copied.FunctionTimeout);
        Assert.Equal(repository.Durable.OrderBy(p => p.Key), copied.Durable.OrderBy(p => p.Key));
        Assert.Equal("OrchardHub", copied.Durable[nameof(DurableEngineOptions.TaskHubName)]);
    }

    static DurableEngineOptions Bind(HostJson hostJson, Dictionary<string, string?> explicitSettings)
    {
        var configuration = new ConfigurationManager();
        configuration.AddInMemoryCollection(explicitSettings);
        hostJson.AddEngineDefaults(configuration);
        return configuration.GetSection(DurableEngineOptions.SectionName).Get<DurableEngineOptions>()!;
    }
}
