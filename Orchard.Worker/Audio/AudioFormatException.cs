namespace Orchard.Worker.Audio;

/// <summary>The request body is not audio the worker can read, or it could not be converted.</summary>
public sealed class AudioFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    public AudioFormatException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public AudioFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public AudioFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
