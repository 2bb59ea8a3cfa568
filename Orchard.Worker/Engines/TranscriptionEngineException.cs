namespace Orchard.Worker.Engines;

/// <summary>An engine could not transcribe: its program failed, or its model is missing or unreadable.</summary>
public class TranscriptionEngineException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TranscriptionEngineException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public TranscriptionEngineException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public TranscriptionEngineException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The Whisper model file is missing, could not be downloaded, or is not a ggml model.</summary>
public sealed class WhisperModelException : TranscriptionEngineException
{
    /// <summary>Creates the exception.</summary>
    public WhisperModelException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public WhisperModelException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public WhisperModelException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The engine does not transcribe the language asked for (the contract's 422: another worker may).</summary>
public sealed class UnsupportedLanguageException : TranscriptionEngineException
{
    /// <summary>Creates the exception.</summary>
    public UnsupportedLanguageException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public UnsupportedLanguageException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public UnsupportedLanguageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
