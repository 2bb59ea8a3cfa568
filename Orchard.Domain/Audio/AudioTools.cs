using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Orchard.Domain.Audio;

/// <summary>
/// Whether ffmpeg and ffprobe can run on this host, checked once at start-up. They are not on the Azure Functions
/// hosts (Flex Consumption offers no custom image): without this check every submission would be refused as if the
/// client's audio were bad, when it is the deployment that lacks the tools.
/// </summary>
public sealed partial class AudioTools(IOptions<AudioOptions> options, ILogger<AudioTools> logger) : IHostedService
{
    static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(15);

    volatile IReadOnlyList<string> missing = [];

    /// <summary>The tools that could not be started at start-up, by name (never by path).</summary>
    public IReadOnlyList<string> Missing => missing;

    /// <summary>Throws <see cref="AudioToolMissingException"/> naming the first missing tool.</summary>
    public void ThrowIfMissing()
    {
        if (missing is [var first, ..])
        {
            throw new AudioToolMissingException(first);
        }
    }

    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var found = new List<string>();
        foreach (var (name, path) in new[] { ("ffprobe", settings.FfprobePath), ("ffmpeg", settings.FfmpegPath) })
        {
            try
            {
                var result = await ExternalTool.RunAsync(path, ["-version"], CheckTimeout, captureStdout: true, cancellationToken);
                if (result.ExitCode != 0)
                {
                    found.Add(name);
                    LogToolMissing(logger, name, path, $"exit code {result.ExitCode}");
                }
            }
            catch (AudioToolException ex)
            {
                found.Add(name);
                LogToolMissing(logger, name, path, ex.Message);
            }
        }

        missing = found;
    }

    Task IHostedService.StartAsync(CancellationToken cancellationToken) => CheckAsync(cancellationToken);

    Task IHostedService.StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Critical, Message = "{Tool} cannot run here ({Path}: {Reason}); every submission is refused with 503 until it is installed (deploy the container image with ffmpeg) and the app restarted")]
    static partial void LogToolMissing(ILogger logger, string tool, string path, string reason);
}
