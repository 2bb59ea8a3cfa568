using Orchard.Worker.Audio;
using Orchard.Worker.Engines;

namespace Orchard.Tests.Worker;

/// <summary>An engine whose answer the test decides, so HTTP and queueing tests do not depend on recognition.</summary>
public sealed class ScriptedEngine : ITranscriptionEngine
{
    private int calls;

    /// <summary>What the engine does with each request; by default two fixed segments inside the audio.</summary>
    public Func<NormalizedAudio, string, CancellationToken, Task<EngineTranscript>> Handler { get; set; } =
        (audio, language, _) => Task.FromResult(new EngineTranscript(
            [
                new EngineSegment(TimeSpan.Zero, audio.Duration / 2, "hello there"),
                new EngineSegment(audio.Duration / 2, audio.Duration, "general kenobi"),
            ],
            language == "auto" ? "en" : language));

    public string Name => "scripted";

    public string Model => "scripted-model";

    /// <summary>What the engine tells the master it transcribes (null: every language).</summary>
    public IReadOnlyList<string>? Languages { get; init; }

    public int Calls => Volatile.Read(ref calls);

    /// <summary>The last audio the engine was given (its file is gone once the request ends).</summary>
    public NormalizedAudio? LastAudio { get; private set; }

    public string? LastLanguage { get; private set; }

    public Task<EngineTranscript> TranscribeAsync(NormalizedAudio audio, string language, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref calls);
        LastAudio = audio;
        LastLanguage = language;
        return Handler(audio, language, cancellationToken);
    }

    public void Dispose()
    {
    }
}
