using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchard.Worker.Audio;
using Orchard.Worker.Contract;
using Orchard.Worker.Core;
using Orchard.Worker.Engines;

namespace Orchard.Worker.Transcription;

/// <summary>
/// Runs one <c>POST /transcribe</c>: stores the body, normalizes it, runs the engine and builds the contract's answer.
/// One transcription at a time, as the original workers: a second request waits up to
/// <see cref="WorkerOptions.QueueTimeout"/> for the first, then gets <see cref="WorkerBusyException"/> (503).
/// </summary>
public sealed class TranscriptionService(
    ITranscriptionEngine engine,
    AudioNormalizer normalizer,
    IOptions<WorkerOptions> options,
    ILogger<TranscriptionService> logger) : IDisposable
{
    private readonly WorkerOptions options = options.Value;
    private readonly SemaphoreSlim oneAtATime = new(1, 1);

    /// <summary>The engine behind this service.</summary>
    public ITranscriptionEngine Engine => engine;

    /// <summary>Transcribes the audio in <paramref name="body"/>.</summary>
    /// <param name="body">The request body: WAV, ideally 16 kHz mono 16-bit.</param>
    /// <param name="language">A language code, or null for <see cref="WorkerOptions.Language"/>.</param>
    /// <param name="includeFormattedLog">Whether to add <c>formatted_log</c>.</param>
    /// <param name="cancellationToken">The request's abort token.</param>
    /// <exception cref="NoAudioDataException">The body is empty or holds no samples.</exception>
    /// <exception cref="WorkerBusyException">Another transcription held the worker for too long.</exception>
    /// <exception cref="AudioFormatException">The body is not audio.</exception>
    /// <exception cref="TranscriptionEngineException">The engine failed.</exception>
    /// <exception cref="TimeoutException">The transcription took longer than <see cref="WorkerOptions.Timeout"/>.</exception>
    public async Task<TranscriptionResponse> TranscribeAsync(Stream body, string? language, bool includeFormattedLog, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        var requestId = Guid.NewGuid().ToString("N");
        var directory = Directory.CreateTempSubdirectory("orchard-worker-");
        try
        {
            // The upload is stored before waiting for the engine, so an empty body is answered at once, even when busy.
            var input = Path.Combine(directory.FullName, "input");
            await using (var file = File.Create(input))
            {
                await body.CopyToAsync(file, cancellationToken);
                if (file.Length == 0)
                {
                    throw new NoAudioDataException();
                }
            }

            var waited = Stopwatch.StartNew();
            if (!await oneAtATime.WaitAsync(options.QueueTimeout, cancellationToken))
            {
                WorkerLog.Busy(logger, waited.Elapsed);
                throw new WorkerBusyException($"Busy: another transcription has held this worker for {waited.Elapsed.TotalSeconds:F0} s; try again later.");
            }

            try
            {
                return await RunAsync(input, directory.FullName, requestId, language ?? options.Language, includeFormattedLog, cancellationToken);
            }
            finally
            {
                oneAtATime.Release();
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <inheritdoc />
    public void Dispose() => oneAtATime.Dispose();

    private async Task<TranscriptionResponse> RunAsync(string input, string directory, string requestId, string language, bool includeFormattedLog, CancellationToken cancellationToken)
    {
        var elapsed = Stopwatch.StartNew();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        try
        {
            var audio = await normalizer.NormalizeAsync(input, Path.Combine(directory, "audio.wav"), timeout.Token);
            if (audio.SampleCount == 0)
            {
                throw new NoAudioDataException();
            }

            var transcript = await engine.TranscribeAsync(audio, language, timeout.Token);
            var segments = transcript.Segments.Select(s => ResponseSegment.From(s.Start, s.End, s.Text)).ToList();
            var metadata = new ResponseMetadata(
                engine.Model,
                engine.Name,
                transcript.Language,
                requestId,
                DateTimeOffset.UtcNow.ToString("o", CultureInfo.InvariantCulture),
                segments.Count);
            var response = new TranscriptionResponse(
                string.Join(' ', segments.Select(s => s.Text)),
                elapsed.ElapsedMilliseconds,
                metadata,
                segments,
                includeFormattedLog ? FormattedLog(segments) : null);
            WorkerLog.Transcribed(logger, audio.Duration.TotalSeconds, response.TimeMs, segments.Count, requestId);
            return response;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The transcription took longer than Worker:Timeout ({options.Timeout}) and was stopped.");
        }
    }

    /// <summary>The original workers' log format: <c>[00:00:00.000 --> 00:00:02.500]  text</c>, one line per segment.</summary>
    private static string FormattedLog(IEnumerable<ResponseSegment> segments)
    {
        var log = new StringBuilder();
        foreach (var s in segments)
        {
            log.Append(CultureInfo.InvariantCulture, $"[{s.Start} --> {s.End}]  {s.Text}\n");
        }

        return log.ToString();
    }
}
