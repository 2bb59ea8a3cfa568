namespace Orchard.Domain.Audio;

/// <summary>
/// Base type of every typed audio error. The message is a sentence for the client; what ffmpeg or ffprobe printed
/// (temporary paths, tool internals) goes in <see cref="Detail"/>, for the log only.
/// </summary>
public class AudioException : Exception
{
    /// <summary>The tool's own words, bounded; logged, never shown to clients.</summary>
    public string? Detail { get; init; }

    public AudioException() { }

    public AudioException(string message) : base(message) { }

    public AudioException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>The input is not audio that can be read (maps to 415).</summary>
public sealed class NotAudioException : AudioException
{
    public NotAudioException() { }

    public NotAudioException(string message) : base(message) { }

    public NotAudioException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>The input holds no bytes or no audio samples.</summary>
public sealed class EmptyAudioException : AudioException
{
    public EmptyAudioException() { }

    public EmptyAudioException(string message) : base(message) { }

    public EmptyAudioException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>The input looked like audio but is truncated or corrupt (maps to 422).</summary>
public sealed class AudioDecodeException : AudioException
{
    public AudioDecodeException() { }

    public AudioDecodeException(string message) : base(message) { }

    public AudioDecodeException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>ffmpeg or ffprobe is missing, failed to start or ran past its timeout.</summary>
public class AudioToolException : AudioException
{
    public AudioToolException() { }

    public AudioToolException(string message) : base(message) { }

    public AudioToolException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>
/// The input is audio but outside what the master decodes: its sample rate, channel count or duration (maps to 422).
/// </summary>
public sealed class AudioLimitException : AudioException
{
    public AudioLimitException() { }

    public AudioLimitException(string message) : base(message) { }

    public AudioLimitException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>
/// ffmpeg or ffprobe is not installed where the master runs: the deployment's fault, not the recording's (maps to 503).
/// The message names the tool, never its path.
/// </summary>
public sealed class AudioToolMissingException : AudioToolException
{
    public AudioToolMissingException() { }

    public AudioToolMissingException(string tool)
        : base($"This master cannot read audio: {tool} is not installed on its host. The operator must deploy it with ffmpeg (see the README, \"Deploying to Azure\"); nothing is wrong with the recording, so submit it again then.") => Tool = tool;

    public AudioToolMissingException(string tool, Exception innerException)
        : base($"This master cannot read audio: {tool} is not installed on its host. The operator must deploy it with ffmpeg (see the README, \"Deploying to Azure\"); nothing is wrong with the recording, so submit it again then.", innerException) => Tool = tool;

    public string Tool { get; } = string.Empty;
}
