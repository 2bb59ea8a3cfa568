using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Azure.Functions.Worker;
using NCrontab;
using Orchard.Domain.Hosting;
using Orchard.Domain.State;
using Orchard.Domain.Storage;
using Orchard.Domain.Telemetry;
using Orchard.Functions.Functions.Timers;
using Orchard.Tests.Infrastructure;

namespace Orchard.Tests.Infra;

/// <summary>
/// infra/ compiles and lints clean with the Bicep CLI from NuGet, and the compiled template gives the function app
/// every setting the real Functions host and the app read. Deployment itself cannot run here (no Azure).
/// </summary>
public sealed partial class BicepTests(CompiledTemplate compiled) : IClassFixture<CompiledTemplate>
{
    const string AzureWebJobsStorage = "AzureWebJobsStorage";

    [Fact]
    public async Task Build_CompilesWithoutWarnings_WhenMainBicep()
    {
        Assert.True(compiled.ExitCode == 0, $"bicep build failed:\n{compiled.Diagnostics}");
        AssertClean("bicep build", compiled.Diagnostics);

        var lint = await BicepCli.RunAsync("lint", RepositoryFiles.PathOf(CompiledTemplate.MainBicep));

        Assert.True(lint.ExitCode == 0, $"bicep lint failed:\n{lint.StandardError}\n{lint.StandardOutput}");
        AssertClean("bicep lint", lint.StandardError + "\n" + lint.StandardOutput);
    }

    [Fact]
    public void Template_SetsEverySampleSetting_WhenCompiled()
    {
        // local.settings.sample.json lists what the app reads; in Azure each one must be set, storage by identity.
        var sample = JsonNode.Parse(File.ReadAllText(RepositoryFiles.PathOf("local.settings.sample.json")))!["Values"]!.AsObject();
        var settings = compiled.AppSettings();

        var missing = sample.Select(s => s.Key).Where(k => k != AzureWebJobsStorage && !settings.ContainsKey(k)).ToArray();

        Assert.True(missing.Length == 0, $"{CompiledTemplate.MainBicep} does not set: {string.Join(", ", missing)}");
    }

    [Fact]
    public void Template_SetsEveryTimerSchedule_WhenCompiled()
    {
        // The real host disables a timer whose %setting% is missing and keeps running: every timer must get one.
        var schedules = typeof(WorkerSweepFunctions).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods())
            .SelectMany(m => m.GetParameters())
            .Select(p => p.GetCustomAttribute<TimerTriggerAttribute>()?.Schedule)
            .OfType<string>()
            .ToArray();
        var settings = compiled.AppSettings();

        Assert.Contains($"%{WorkerSweepFunctions.ScheduleSetting}%", schedules);
        Assert.Contains($"%{JobCleanupFunctions.ScheduleSetting}%", schedules);
        foreach (var schedule in schedules)
        {
            var name = SettingReference().Match(schedule) is { Success: true } m ? m.Groups[1].Value.Replace(":", "__", StringComparison.Ordinal) : null;
            Assert.True(name is not null, $"Timer schedule '{schedule}' is not a %setting%; infra expects one.");
            Assert.True(settings.TryGetValue(name, out var entry), $"{CompiledTemplate.MainBicep} does not set the timer schedule {name}.");
            var cron = (string?)entry["value"] ?? string.Empty;
            Assert.True(CrontabSchedule.TryParse(cron, new CrontabSchedule.ParseOptions { IncludingSeconds = true }) is not null,
                $"{name} = '{cron}' is not a six-field NCRONTAB schedule.");
        }
    }

    [Fact]
    public void Template_RunsInProduction_WhenCompiled()
    {
        var settings = compiled.AppSettings();

        Assert.Equal("dotnet-isolated", (string?)settings["FUNCTIONS_WORKER_RUNTIME"]["value"]);
        Assert.Equal("Production", (string?)settings[FunctionsEnvironment.Variable]["value"]);
        Assert.Equal("false", (string?)settings[$"{StateOptions.SectionName}__{nameof(StateOptions.FallbackToMemory)}"]["value"]);
    }

    [Fact]
    public void Template_ConnectsStorageByIdentity_WhenCompiled()
    {
        var settings = compiled.AppSettings();

        Assert.DoesNotContain(AzureWebJobsStorage, settings.Keys);
        foreach (var part in new[] { "accountName", "blobServiceUri", "queueServiceUri", "tableServiceUri", "clientId" })
        {
            Assert.True(settings.ContainsKey($"{AzureWebJobsStorage}__{part}"), $"{AzureWebJobsStorage}__{part} is not set.");
        }

        Assert.Equal("managedidentity", (string?)settings[$"{AzureWebJobsStorage}__credential"]["value"]);
    }

    [Fact]
    public void Template_TurnsSharedKeysOff_WhenTheAppReachesStorageByIdentityToo()
    {
        // The app reads the same AzureWebJobsStorage__* settings as the host (StorageConnection) and signs upload URLs
        // with a user delegation key, so nothing needs the account key.
        var account = Assert.Single(compiled.ResourcesOfType("Microsoft.Storage/storageAccounts"));
        var settings = compiled.AppSettings();

        Assert.False((bool?)account["properties"]!["allowSharedKeyAccess"]);
        Assert.DoesNotContain($"{StorageOptions.SectionName}__{nameof(StorageOptions.ConnectionString)}", settings.Keys);
        Assert.DoesNotContain(compiled.Secrets().Keys, k => k.Contains("storage", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Template_ReadsRedisFromKeyVault_WhenCompiled()
    {
        var setting = compiled.AppSettings()[$"{StateOptions.SectionName}__{nameof(StateOptions.RedisConnectionString)}"];
        var secretName = (string?)setting["secretRef"];

        Assert.Null(setting["value"]);
        Assert.NotNull(secretName);
        Assert.True(compiled.Secrets().TryGetValue(secretName, out var secret), $"The app has no secret '{secretName}'.");
        Assert.NotNull((string?)secret["keyVaultUrl"]);
        Assert.NotNull((string?)secret["identity"]);
    }

    [Fact]
    public void Template_SendsTelemetryToApplicationInsightsAsTheAppIdentity_WhenCompiled()
    {
        // Application Insights takes Entra-authenticated telemetry only: the app's exporter reads this setting as the host does.
        var settings = compiled.AppSettings();
        var authentication = (string?)settings[TelemetryServiceCollectionExtensions.AppInsightsAuthenticationSetting]["value"] ?? string.Empty;

        Assert.False(string.IsNullOrEmpty((string?)settings[TelemetryServiceCollectionExtensions.AppInsightsConnectionSetting]["value"]));
        Assert.Contains("Authorization=AAD", authentication, StringComparison.Ordinal);
        Assert.Contains("ClientId=", authentication, StringComparison.Ordinal);
    }

    [Fact]
    public void Template_KeepsOneReplica_WhenCompiled()
    {
        // Durable Functions on the Azure Storage backend does not wake a Container App scaled to zero.
        var minReplicas = compiled.Parameter("minReplicas");
        var (app, _) = compiled.FunctionApp();

        Assert.True((int?)minReplicas["minValue"] >= 1, "minReplicas must not allow 0.");
        Assert.True((int?)minReplicas["defaultValue"] >= 1);
        Assert.Equal("functionapp", (string?)app["kind"]);
        Assert.Equal("[parameters('minReplicas')]", (string?)app["properties"]!["template"]!["scale"]!["minReplicas"]);
    }

    static void AssertClean(string command, string output)
    {
        var findings = output.Split('\n').Where(l => Finding().IsMatch(l)).ToArray();
        Assert.True(findings.Length == 0, $"{command} reported:\n{string.Join('\n', findings)}");
    }

    [GeneratedRegex(@"\b(Warning|Error)\b")]
    private static partial Regex Finding();

    [GeneratedRegex("^%([^%]+)%$")]
    private static partial Regex SettingReference();
}
