using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Orchard.Functions.Runtime;

/// <summary>
/// Refuses to start when host.json's orchestration versioning would let a deploy break jobs in flight: no
/// <c>defaultVersion</c>, one newer than this build's job orchestration, or a match strategy other than CurrentOrOlder.
/// The Functions host lets app settings override host.json (<c>AzureFunctionsJobHost__extensions__durableTask__*</c>),
/// so those are read first, as the host would.
/// </summary>
public sealed partial class OrchestrationVersionCheck(IConfiguration configuration, ILogger<OrchestrationVersionCheck> logger) : IHostedService
{
    const string OverridePrefix = "AzureFunctionsJobHost:extensions:durableTask:";

    /// <summary>host.json's <c>extensions.durableTask.defaultVersion</c> and <c>versionMatchStrategy</c>, each null when absent.</summary>
    public static (string? DefaultVersion, string? MatchStrategy) Read(string hostJson)
    {
        using var document = JsonDocument.Parse(hostJson, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var durable = HostJsonFile.Child(HostJsonFile.Child(document.RootElement, "extensions"), "durableTask");
        return (HostJsonFile.Child(durable, "defaultVersion")?.GetString(), HostJsonFile.Child(durable, "versionMatchStrategy")?.GetString());
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(FunctionTimeoutCheck.HostJsonPath))
        {
            LogNoHostJson(logger, FunctionTimeoutCheck.HostJsonPath);
            return Task.CompletedTask;
        }

        var (version, strategy) = Read(File.ReadAllText(FunctionTimeoutCheck.HostJsonPath));
        version = configuration[OverridePrefix + "defaultVersion"] ?? version;
        strategy = configuration[OverridePrefix + "versionMatchStrategy"] ?? strategy;
        if (JobVersions.Problem(version, strategy) is { } problem)
        {
            throw new InvalidOperationException(problem);
        }

        LogChecked(logger, version!, JobVersions.Current);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "No host.json at {Path}: orchestration versioning not checked")]
    static partial void LogNoHostJson(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "New jobs start on orchestration version {Version}; this build runs versions up to {Newest}")]
    static partial void LogChecked(ILogger logger, string version, string newest);
}
