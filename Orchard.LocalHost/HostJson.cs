using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Orchard.Functions.Runtime;
using Orchard.LocalHost.Engine;

namespace Orchard.LocalHost;

/// <summary>
/// The parts of host.json the Functions host applies and the local host mirrors: the HTTP route prefix (default
/// "api"), <c>functionTimeout</c>, and the Durable Task extension's task hub, storage provider and concurrency
/// settings. Property names are matched case-insensitively, as the host does.
/// </summary>
public sealed partial record HostJson
{
    /// <summary>The Functions host's route prefix when host.json names none.</summary>
    public const string DefaultRoutePrefix = "api";

    /// <summary>host.json beside the local host's assembly (the build copies the repository's one there).</summary>
    public static string DefaultPath => FunctionTimeoutCheck.HostJsonPath;

    /// <summary><c>extensions.http.routePrefix</c>, without slashes; "" maps routes at the root.</summary>
    public string RoutePrefix { get; init; } = DefaultRoutePrefix;

    /// <summary><c>functionTimeout</c>; null when absent or -1 (unbounded).</summary>
    public TimeSpan? FunctionTimeout { get; init; }

    /// <summary>
    /// <c>extensions.durableTask</c> as <see cref="DurableEngineOptions"/> configuration keys (section-relative), only
    /// for what host.json sets. <c>hubName</c> may still be a <c>%setting%</c>: see <see cref="EngineSettings"/>.
    /// </summary>
    public IReadOnlyDictionary<string, string> Durable { get; init; } = new Dictionary<string, string>();

    /// <summary>Reads host.json at <paramref name="path"/>; a missing file is the host's defaults.</summary>
    public static HostJson Load(string path) => File.Exists(path) ? Parse(File.ReadAllText(path)) : new HostJson();

    public static HostJson Parse(string json)
    {
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var root = document.RootElement;
        var extensions = Child(root, "extensions");
        var http = Child(extensions, "http");
        var durable = Child(extensions, "durableTask");
        var storage = Child(durable, "storageProvider");
        var settings = new Dictionary<string, string>();
        void Map(JsonElement? section, string name, string option)
        {
            if (Child(section, name) is { } value && value.ValueKind is not JsonValueKind.Null)
            {
                settings[option] = value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
            }
        }

        Map(durable, "hubName", nameof(DurableEngineOptions.TaskHubName));
        Map(durable, "defaultVersion", nameof(DurableEngineOptions.DefaultVersion));
        Map(durable, "versionMatchStrategy", nameof(DurableEngineOptions.VersionMatchStrategy));
        Map(durable, "versionFailureStrategy", nameof(DurableEngineOptions.VersionFailureStrategy));
        Map(durable, "maxConcurrentActivityFunctions", nameof(DurableEngineOptions.MaxConcurrentActivities));
        Map(durable, "maxConcurrentOrchestratorFunctions", nameof(DurableEngineOptions.MaxConcurrentOrchestrations));
        Map(storage, "partitionCount", nameof(DurableEngineOptions.PartitionCount));
        Map(storage, "workItemQueueVisibilityTimeout", nameof(DurableEngineOptions.WorkItemVisibilityTimeout));
        Map(storage, "controlQueueVisibilityTimeout", nameof(DurableEngineOptions.ControlQueueVisibilityTimeout));
        Map(storage, "maxQueuePollingInterval", nameof(DurableEngineOptions.MaxQueuePollingInterval));
        return new HostJson
        {
            RoutePrefix = Child(http, "routePrefix")?.GetString()?.Trim('/') ?? DefaultRoutePrefix,
            FunctionTimeout = FunctionTimeoutCheck.ReadFunctionTimeout(json),
            Durable = settings,
        };
    }

    /// <summary>
    /// host.json's durable settings as configuration pairs under <see cref="DurableEngineOptions.SectionName"/>, to sit
    /// below every other source (an explicit <c>DurableEngine:*</c> setting overrides them). A <c>hubName</c> of
    /// <c>%Setting%</c> is resolved from <paramref name="configuration"/>; when it does not resolve, start-up fails
    /// as the Durable extension's does (it keeps the literal and rejects it as a task hub name).
    /// </summary>
    public Dictionary<string, string?> EngineSettings(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var pairs = Durable.ToDictionary(p => $"{DurableEngineOptions.SectionName}:{p.Key}", p => (string?)p.Value);
        if (FunctionTimeout is { } timeout)
        {
            pairs[$"{DurableEngineOptions.SectionName}:{nameof(DurableEngineOptions.ActivityTimeout)}"] = timeout.ToString("c", CultureInfo.InvariantCulture);
        }

        var hubKey = $"{DurableEngineOptions.SectionName}:{nameof(DurableEngineOptions.TaskHubName)}";
        if (pairs.TryGetValue(hubKey, out var hub) && WholeSetting().Match(hub!) is { Success: true } reference)
        {
            var setting = reference.Groups[1].Value;
            var resolved = configuration[setting];
            // An explicit DurableEngine:TaskHubName wins anyway; only a hub name taken from host.json must resolve.
            if (string.IsNullOrEmpty(resolved) && configuration[hubKey] is null)
            {
                throw new InvalidOperationException(
                    $"host.json extensions.durableTask.hubName is '{hub}', but app setting '{setting}' is not set. The Functions host fails to start here too (\"Task hub name '{hub}' should contain only alphanumeric characters, start with a letter, and have length between 3 and 45.\"). Set {setting.Replace(":", "__", StringComparison.Ordinal)}.");
            }

            pairs[hubKey] = resolved;
        }

        return pairs;
    }

    /// <summary>Puts <see cref="EngineSettings"/> below every source of <paramref name="configuration"/>, as defaults.</summary>
    public void AddEngineDefaults(IConfigurationBuilder configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var current = configuration is IConfiguration built ? built : configuration.Build();
        configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource { InitialData = EngineSettings(current) });
    }

    static JsonElement? Child(JsonElement? parent, string name) => HostJsonFile.Child(parent, name);

    static JsonElement? Child(JsonElement parent, string name) => Child((JsonElement?)parent, name);

    // The extension resolves only a hub name that is one %setting% as a whole (INameResolver.TryResolveWholeString).
    [GeneratedRegex("^%([^%]+)%$")]
    private static partial Regex WholeSetting();
}
