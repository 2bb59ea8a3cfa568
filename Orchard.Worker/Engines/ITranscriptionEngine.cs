using Orchard.Worker.Audio;

namespace Orchard.Worker.Engines;

/// <summary>One stretch of recognized speech, relative to the start of the audio.</summary>
/// <param name="Start">Where it starts.</param>
/// <param name="End">Where it ends.</param>
/// <param name="Text">What was said.</param>
public sealed record EngineSegment(TimeSpan Start, TimeSpan End, string Text);

/// <summary>What an engine heard.</summary>
/// <param name="Segments">In order, inside the audio.</param>
/// <param name="Language">The language transcribed (given or detected).</param>
public sealed record EngineTranscript(IReadOnlyList<EngineSegment> Segments, string Language);

/// <summary>A speech recognizer behind the worker contract. Called one request at a time.</summary>
public interface ITranscriptionEngine : IDisposable
{
    /// <summary>The engine's name in answers: <c>pocketsphinx</c> or <c>whisper</c>.</summary>
    string Name { get; }

    /// <summary>The model's name in answers (e.g. <c>base</c>, <c>en-us</c>).</summary>
    string Model { get; }

    /// <summary>The languages it transcribes, told to the master when registering; null for every language Whisper knows.</summary>
    IReadOnlyList<string>? Languages => null;

    /// <summary>Transcribes <paramref name="audio"/>; <paramref name="language"/> is a code like <c>en</c>, or <c>auto</c>.</summary>
    /// <exception cref="TranscriptionEngineException">The engine could not run or load its model.</exception>
    Task<EngineTranscript> TranscribeAsync(NormalizedAudio audio, string language, CancellationToken cancellationToken);
}
