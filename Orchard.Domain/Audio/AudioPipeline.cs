using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchard.Domain.Storage;

namespace Orchard.Domain.Audio;

/// <summary>
/// Decode, purify (optional), split and write chunk WAVs. Streams through a temporary PCM file so the compressed
/// input, the decoded signal and the chunks are never in memory together.
/// </summary>
public sealed class AudioPipeline
{
    private readonly AudioOptions _options;
    private readonly TimeSpan _maxDuration;
    private readonly ILogger<AudioPipeline> _logger;

    /// <summary>Creates the pipeline with the default longest recording (<see cref="StorageOptions.MaxRecordingDuration"/>).</summary>
    public AudioPipeline(IOptions<AudioOptions> options, ILogger<AudioPipeline> logger)
        : this(options, Options.Create(new StorageOptions()), logger)
    {
    }

    /// <summary>Creates the pipeline; <paramref name="storage"/> gives the longest recording it decodes.</summary>
    public AudioPipeline(IOptions<AudioOptions> options, IOptions<StorageOptions> storage, ILogger<AudioPipeline> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(storage);
        _options = options.Value;
        _maxDuration = storage.Value.MaxRecordingDuration;
        _logger = logger;
    }

    /// <summary>Probes a file quickly with this pipeline's ffprobe settings and <see cref="AudioLimits"/>.</summary>
    /// <exception cref="NotAudioException">Not audio.</exception>
    /// <exception cref="EmptyAudioException">Empty.</exception>
    /// <exception cref="AudioLimitException">Sample rate, channels or stated duration out of bounds.</exception>
    public async Task<AudioProbeResult> ProbeAsync(string path, CancellationToken ct)
    {
        try
        {
            return await AudioProbe.ProbeAsync(path, _options, _maxDuration, ct);
        }
        catch (AudioException ex)
        {
            LogDetail(ex);
            throw;
        }
    }

    /// <inheritdoc cref="PrepareAsync(string, bool, string, Action{AudioStageTiming}?, CancellationToken)"/>
    public Task<PreparedRecording> PrepareAsync(string inputPath, bool purify, string outputDirectory, CancellationToken ct) =>
        PrepareAsync(inputPath, purify, outputDirectory, null, ct);

    /// <summary>Prepares a recording: writes <c>chunk_{index:D5}.wav</c> for each non-silent chunk into <paramref name="outputDirectory"/>.</summary>
    /// <param name="inputPath">Any audio file ffmpeg reads; PCM WAV is read in-process.</param>
    /// <param name="purify">Run the purifier (high-pass, noise reduction, loudness).</param>
    /// <param name="outputDirectory">Where chunk WAVs go; created if missing.</param>
    /// <param name="onStageCompleted">Called after each stage (for measurements); may be null.</param>
    /// <param name="ct">Cancels the work and any running ffmpeg.</param>
    /// <exception cref="NotAudioException">The input is not audio.</exception>
    /// <exception cref="EmptyAudioException">The input is empty.</exception>
    /// <exception cref="AudioDecodeException">The input is truncated or corrupt.</exception>
    /// <exception cref="AudioLimitException">The input is outside <see cref="AudioLimits"/>, found while decoding.</exception>
    /// <exception cref="AudioToolException">ffmpeg is missing or timed out.</exception>
    public async Task<PreparedRecording> PrepareAsync(string inputPath, bool purify, string outputDirectory, Action<AudioStageTiming>? onStageCompleted, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(inputPath);
        ArgumentException.ThrowIfNullOrEmpty(outputDirectory);
        if (!File.Exists(inputPath))
        {
            throw new FileNotFoundException("audio input not found", inputPath);
        }

        Directory.CreateDirectory(outputDirectory);
        var work = Path.Combine(_options.TempDirectory ?? Path.GetTempPath(), "orchard-audio-" + Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture));
        Directory.CreateDirectory(work);
        var stages = new List<AudioStageTiming>();
        var clock = Stopwatch.StartNew();
        void Done(string stage)
        {
            var timing = new AudioStageTiming(stage, clock.Elapsed);
            stages.Add(timing);
            _logger.StageDone(stage, timing.Elapsed.TotalMilliseconds);
            onStageCompleted?.Invoke(timing);
            clock.Restart();
        }

        PcmFile? decodedPcm = null;
        PcmFile? purifiedPcm = null;
        try
        {
            DecodedAudio decoded;
            try
            {
                decoded = await AudioDecoder.DecodeAsync(inputPath, work, _options, _maxDuration, ct);
            }
            catch (AudioException ex)
            {
                LogDetail(ex);
                throw;
            }

            decodedPcm = decoded.Pcm;
            _logger.Preparing(inputPath, decoded.FormatName, purify);
            Done("decode");

            var source = decodedPcm;
            float[] frameDb;
            double gainDb = 0;
            if (purify)
            {
                var inputDb = SilenceDetector.MeasureFrames(decodedPcm, ct);
                var result = await Task.Run(() => Purifier.Run(decodedPcm, inputDb, Path.Combine(work, "purified.f32"), ct), ct);
                purifiedPcm = result.Output;
                source = purifiedPcm;
                frameDb = result.FrameDb;
                gainDb = result.GainDb;
                _logger.PurifiedAudio(result.GainDb, result.NoiseFloorBeforeDb);
                Done("purify");
            }
            else
            {
                frameDb = SilenceDetector.MeasureFrames(decodedPcm, ct);
            }

            var analysis = SilenceDetector.Analyse(frameDb, source.SampleCount);
            var plans = ChunkPlanner.Plan(analysis, _options);
            Done("split");

            var chunks = new List<PreparedChunk>(plans.Count);
            var bytes = ChunkWriter.NewByteBuffer();
            var floats = ChunkWriter.NewFloatBuffer();
            foreach (var plan in plans)
            {
                ct.ThrowIfCancellationRequested();
                string? wavPath = null;
                if (!plan.IsSilent)
                {
                    wavPath = Path.Combine(outputDirectory, string.Create(CultureInfo.InvariantCulture, $"chunk_{plan.Index:D5}.wav"));
                    ChunkWriter.Write(source, plan.Kept, wavPath, bytes, floats);
                }

                chunks.Add(new PreparedChunk
                {
                    Index = plan.Index,
                    StartSample = plan.Range.Start,
                    EndSample = plan.Range.End,
                    IsSilent = plan.IsSilent,
                    WavPath = wavPath,
                    CompactedDurationMs = AudioFormat.SamplesToMs(plan.KeptSamples),
                    Map = CompactionMap.FromSamples(plan.Kept),
                });
            }

            Done("write");
            var recording = new PreparedRecording
            {
                DurationMs = source.SampleCount * 1000 / AudioFormat.SampleRate,
                SampleCount = source.SampleCount,
                Chunks = chunks,
                Purified = purify,
                FormatName = decoded.FormatName,
                NoiseFloorDb = analysis.NoiseFloorDb,
                SpeechThresholdDb = analysis.ThresholdDb,
                PurifierGainDb = gainDb,
                Stages = stages,
            };
            _logger.Prepared(inputPath, recording.DurationMs, chunks.Count, chunks.Count(c => c.IsSilent), analysis.NoiseFloorDb, analysis.ThresholdDb);
            return recording;
        }
        finally
        {
            purifiedPcm?.Dispose();
            decodedPcm?.Dispose();
            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (IOException ex)
            {
                _logger.TempCleanupFailed(work, ex);
            }
            catch (UnauthorizedAccessException ex)
            {
                _logger.TempCleanupFailed(work, ex);
            }
        }
    }

    /// <summary>Logs what the tool said: the client gets the exception's sentence only.</summary>
    private void LogDetail(AudioException ex)
    {
        if (ex.Detail is { } detail)
        {
            _logger.ToolSaid(ex.GetType().Name, detail);
        }
    }
}
