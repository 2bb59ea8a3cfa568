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
        await using var preparing = await OpenAsync(inputPath, purify, outputDirectory, onStageCompleted, ct);
        var chunks = new List<PreparedChunk>();
        await foreach (var chunk in preparing.ChunksAsync(ct))
        {
            chunks.Add(chunk);
        }

        return preparing.ToRecording(chunks);
    }

    /// <summary>
    /// Decodes, purifies (optionally) and measures a recording, then hands its chunks out one at a time through
    /// <see cref="PreparingRecording.ChunksAsync"/>, each as soon as its cut is decided and its WAV written, so the
    /// caller can send the first chunks on while the rest are still being cut. Dispose the result to free its
    /// temporary files; chunk WAVs stay where they were written, for the caller to delete once stored.
    /// </summary>
    /// <remarks>
    /// The silence threshold follows noise floors and a speech level taken over the whole recording (and the
    /// purifier's noise profile and gain are whole-recording too), so every level is measured before the first
    /// cut: cutting earlier, on part of the recording, would cut elsewhere than the whole-file pipeline does.
    /// </remarks>
    /// <inheritdoc cref="PrepareAsync(string, bool, string, Action{AudioStageTiming}?, CancellationToken)"/>
    public async Task<PreparingRecording> OpenAsync(string inputPath, bool purify, string outputDirectory, Action<AudioStageTiming>? onStageCompleted, CancellationToken ct)
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
        var preparing = new PreparingRecording(inputPath, purify, outputDirectory, work, _options, onStageCompleted, _logger);
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

            preparing.Decoded(decoded);
            _logger.Preparing(inputPath, decoded.FormatName, purify);
            preparing.Done("decode");

            var decodedPcm = decoded.Pcm;
            float[] frameDb;
            if (purify)
            {
                var inputDb = SilenceDetector.MeasureFrames(decodedPcm, ct);
                var result = await Task.Run(() => Purifier.Run(decodedPcm, inputDb, Path.Combine(work, "purified.f32"), ct), ct);
                preparing.Purified(result);
                frameDb = result.FrameDb;
                _logger.PurifiedAudio(result.GainDb, result.NoiseFloorBeforeDb);
                preparing.Done("purify");
            }
            else
            {
                frameDb = SilenceDetector.MeasureFrames(decodedPcm, ct);
            }

            preparing.Analysed(SilenceDetector.Analyse(frameDb, preparing.Source.SampleCount));
            preparing.Done("split");
            return preparing;
        }
        catch
        {
            await preparing.DisposeAsync();
            throw;
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
