using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace Orchard.Domain.Audio;

/// <summary>
/// A recording decoded, optionally purified and measured, whose chunks are cut and written one at a time as
/// <see cref="ChunksAsync"/> is read (see <see cref="AudioPipeline.OpenAsync"/>). Holds the decoded audio in a
/// temporary file until disposed.
/// </summary>
public sealed class PreparingRecording : IAsyncDisposable
{
    private readonly string inputPath;
    private readonly string outputDirectory;
    private readonly string work;
    private readonly AudioOptions options;
    private readonly Action<AudioStageTiming>? onStageCompleted;
    private readonly ILogger logger;
    private readonly List<AudioStageTiming> stages = [];
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private PcmFile? decodedPcm;
    private PcmFile? purifiedPcm;
    private SilenceAnalysis? analysis;
    private string formatName = string.Empty;
    private int enumerated;
    private int disposed;

    internal PreparingRecording(string inputPath, bool purify, string outputDirectory, string work, AudioOptions options, Action<AudioStageTiming>? onStageCompleted, ILogger logger)
    {
        this.inputPath = inputPath;
        IsPurified = purify;
        this.outputDirectory = outputDirectory;
        this.work = work;
        this.options = options;
        this.onStageCompleted = onStageCompleted;
        this.logger = logger;
    }

    /// <summary>Length of the recording in samples at <see cref="AudioFormat.SampleRate"/>.</summary>
    public long SampleCount => Source.SampleCount;

    /// <summary>Length of the recording (ms, rounded down).</summary>
    public long DurationMs => SampleCount * 1000 / AudioFormat.SampleRate;

    /// <summary>Whether the purifier ran.</summary>
    public bool IsPurified { get; }

    /// <summary>Loudness gain the purifier applied (dB); 0 when it did not run.</summary>
    public double PurifierGainDb { get; private set; }

    /// <summary>The signal the chunks are cut from: purified when the purifier ran.</summary>
    internal PcmFile Source => purifiedPcm ?? decodedPcm ?? throw new InvalidOperationException("the recording is not decoded yet");

    private SilenceAnalysis Analysis => analysis ?? throw new InvalidOperationException("the recording is not measured yet");

    /// <summary>
    /// The chunks in order, each written (silent ones have no WAV) before it is handed out; the next is cut only when
    /// asked for, so a slow reader holds the pipeline back instead of letting written chunks pile up. Read once.
    /// </summary>
    public async IAsyncEnumerable<PreparedChunk> ChunksAsync([EnumeratorCancellation] CancellationToken ct = default)
    {
        if (Interlocked.Exchange(ref enumerated, 1) != 0)
        {
            throw new InvalidOperationException("the chunks of a recording are handed out once");
        }

        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        var source = Source;
        var bytes = ChunkWriter.NewByteBuffer();
        var floats = ChunkWriter.NewFloatBuffer();
        int count = 0, silent = 0;
        foreach (var plan in ChunkPlanner.PlanEach(Analysis, options))
        {
            ct.ThrowIfCancellationRequested();
            string? wavPath = null;
            if (!plan.IsSilent)
            {
                wavPath = Path.Combine(outputDirectory, string.Create(CultureInfo.InvariantCulture, $"chunk_{plan.Index:D5}.wav"));
                var path = wavPath;
                await Task.Run(() => ChunkWriter.Write(source, plan.Kept, path, bytes, floats), ct);
            }

            count++;
            silent += plan.IsSilent ? 1 : 0;
            yield return new PreparedChunk
            {
                Index = plan.Index,
                StartSample = plan.Range.Start,
                EndSample = plan.Range.End,
                IsSilent = plan.IsSilent,
                WavPath = wavPath,
                CompactedDurationMs = AudioFormat.SamplesToMs(plan.KeptSamples),
                Map = CompactionMap.FromSamples(plan.Kept),
            };
        }

        Done("write");
        logger.Prepared(inputPath, DurationMs, count, silent, Analysis.NoiseFloorDb, Analysis.ThresholdDb);
    }

    /// <summary>The whole recording, once every chunk of <see cref="ChunksAsync"/> has been read.</summary>
    public PreparedRecording ToRecording(IReadOnlyList<PreparedChunk> chunks) => new()
    {
        DurationMs = DurationMs,
        SampleCount = SampleCount,
        Chunks = chunks,
        Purified = IsPurified,
        FormatName = formatName,
        NoiseFloorDb = Analysis.NoiseFloorDb,
        SpeechThresholdDb = Analysis.ThresholdDb,
        PurifierGainDb = PurifierGainDb,
        Stages = stages.ToArray(),
    };

    /// <summary>Deletes the temporary decoded (and purified) audio; the chunk WAVs are the caller's.</summary>
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return ValueTask.CompletedTask;
        }

        purifiedPcm?.Dispose();
        decodedPcm?.Dispose();
        try
        {
            Directory.Delete(work, recursive: true);
        }
        catch (IOException ex)
        {
            logger.TempCleanupFailed(work, ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            logger.TempCleanupFailed(work, ex);
        }

        return ValueTask.CompletedTask;
    }

    internal void Decoded(DecodedAudio decoded)
    {
        decodedPcm = decoded.Pcm;
        formatName = decoded.FormatName;
    }

    internal void Purified(PurifyResult result)
    {
        purifiedPcm = result.Output;
        PurifierGainDb = result.GainDb;
    }

    internal void Analysed(SilenceAnalysis result) => analysis = result;

    internal void Done(string stage)
    {
        var timing = new AudioStageTiming(stage, clock.Elapsed);
        stages.Add(timing);
        logger.StageDone(stage, timing.Elapsed.TotalMilliseconds);
        onStageCompleted?.Invoke(timing);
        clock.Restart();
    }
}
