using Orchard.Worker.Core;

namespace Orchard.Worker.Transcription;

/// <summary>The request carried no audio (the contract's 400 <c>No audio data</c>).</summary>
public sealed class NoAudioDataException : Exception
{
    /// <summary>Creates the exception.</summary>
    public NoAudioDataException()
        : base("No audio data")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public NoAudioDataException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public NoAudioDataException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Another request held the worker for longer than <see cref="WorkerOptions.QueueTimeout"/> (503).</summary>
public sealed class WorkerBusyException : Exception
{
    /// <summary>Creates the exception.</summary>
    public WorkerBusyException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public WorkerBusyException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public WorkerBusyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
