using Orchard.Cli.Contract;
using Spectre.Console;

namespace Orchard.Cli;

/// <summary>
/// What the commands take from the machine they run on: environment variables, the network, where resume state
/// lives, and when a file goes through <c>/uploads</c>. Tests replace parts of it; <see cref="Default"/> is the real one.
/// </summary>
public sealed class CliEnvironment
{
    /// <summary>
    /// Files larger than this go through <c>/uploads</c> in blocks: 64 MB, well under the host's request limit, so a
    /// multipart body with its framing never meets it and large files get resumable uploads.
    /// </summary>
    public const long DefaultUploadThreshold = FunctionsHostLimits.MaxRequestBodyBytes / 100 * 64;

    /// <summary>Block size for <c>/uploads</c>: 8 MB, so an interruption costs at most that much again.</summary>
    public const int DefaultBlockSize = 8 * 1024 * 1024;

    public Func<string, string?> Variable { get; init; } = Environment.GetEnvironmentVariable;

    /// <summary>The network, one handler per command run.</summary>
    public Func<HttpMessageHandler> Handler { get; init; } = () => new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(15) };

    /// <summary>Where resume state of interrupted uploads is kept.</summary>
    public string StateDirectory { get; init; } = DefaultStateDirectory(Environment.GetEnvironmentVariable);

    public long UploadThreshold { get; init; } = DefaultUploadThreshold;

    public int BlockSize { get; init; } = DefaultBlockSize;

    /// <summary>How often <c>--wait</c> asks the master about the job.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Where errors go; null: the command's own console (tests read both from one).</summary>
    public IAnsiConsole? ErrorConsole { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    public static CliEnvironment Default { get; } = new();

    /// <summary><c>$XDG_STATE_HOME/orchard</c>, else <c>~/.local/state/orchard</c>, else the temp folder's <c>orchard</c>.</summary>
    public static string DefaultStateDirectory(Func<string, string?> variable)
    {
        ArgumentNullException.ThrowIfNull(variable);
        if (variable("XDG_STATE_HOME") is { Length: > 0 } xdg && Path.IsPathFullyQualified(xdg))
        {
            return Path.Combine(xdg, "orchard");
        }

        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return home.Length > 0
            ? Path.Combine(home, ".local", "state", "orchard")
            : Path.Combine(Path.GetTempPath(), "orchard");
    }
}
