namespace Orchard.Domain.Audio;

/// <summary>A recording decoded, optionally purified, and split into chunk WAVs ready for workers.</summary>
public sealed record PreparedRecording
{
    /// <summary>Length of the recording (ms, rounded down).</summary>
    public required long DurationMs { get; init; }

    /// <summary>Length of the recording in samples at <see cref="SampleRate"/>.</summary>
    public required long SampleCount { get; init; }

    /// <summary>Sample rate of the timeline and of every chunk WAV (16000).</summary>
    public int SampleRate { get; init; } = AudioFormat.SampleRate;

    /// <summary>The chunks, in order; they tile [0, SampleCount) exactly.</summary>
    public required IReadOnlyList<PreparedChunk> Chunks { get; init; }

    /// <summary>Whether the purifier ran.</summary>
    public required bool Purified { get; init; }

    /// <summary>Container format of the input ("wav", "mp3", ...).</summary>
    public required string FormatName { get; init; }

    /// <summary>Estimated background level (dBFS) of the analysed signal.</summary>
    public required double NoiseFloorDb { get; init; }

    /// <summary>Level (dBFS) above which a 20 ms frame counted as speech.</summary>
    public required double SpeechThresholdDb { get; init; }

    /// <summary>Loudness gain the purifier applied (dB); 0 when it did not run.</summary>
    public double PurifierGainDb { get; init; }

    /// <summary>Wall time of each stage, in order.</summary>
    public IReadOnlyList<AudioStageTiming> Stages { get; init; } = [];

    /// <summary>True when every chunk is silent (the transcript will be empty).</summary>
    public bool IsSilent => Chunks.All(c => c.IsSilent);
}

/// <summary>One chunk of a prepared recording.</summary>
public sealed record PreparedChunk
{
    /// <summary>Position of the chunk, from 0.</summary>
    public required int Index { get; init; }

    /// <summary>First sample on the original timeline (inclusive).</summary>
    public required long StartSample { get; init; }

    /// <summary>End sample on the original timeline (exclusive).</summary>
    public required long EndSample { get; init; }

    /// <summary>Start on the original timeline (ms, exact: samples / 16).</summary>
    public double StartMs => AudioFormat.SamplesToMs(StartSample);

    /// <summary>End on the original timeline (ms, exact).</summary>
    public double EndMs => AudioFormat.SamplesToMs(EndSample);

    /// <summary>True when the chunk holds no speech; it has no WAV and is not sent to workers.</summary>
    public required bool IsSilent { get; init; }

    /// <summary>The compacted 16 kHz mono 16-bit WAV; null for silent chunks.</summary>
    public string? WavPath { get; init; }

    /// <summary>Length of the audio in <see cref="WavPath"/> (ms).</summary>
    public required double CompactedDurationMs { get; init; }

    /// <summary>Maps times in the compacted WAV back to the original recording's timeline.</summary>
    public required CompactionMap Map { get; init; }
}

/// <summary>How long one pipeline stage took.</summary>
/// <param name="Stage">"decode", "purify", "split" or "write".</param>
/// <param name="Elapsed">Wall time.</param>
public sealed record AudioStageTiming(string Stage, TimeSpan Elapsed);
