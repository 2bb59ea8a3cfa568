using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchard.Worker.Audio;
using Orchard.Worker.Contract;
using Whisper.net;
using Whisper.net.Ggml;
using Whisper.net.LibraryLoader;
using Orchard.Worker.Core;

namespace Orchard.Worker.Engines;

/// <summary>
/// Whisper through Whisper.net (whisper.cpp, CPU runtime from Whisper.net.Runtime) with a ggml model file at
/// <see cref="WorkerOptions.ModelPath"/>. The model is loaded on first use, downloaded first when the file is missing
/// and <see cref="WorkerOptions.DownloadModel"/> is on, and then kept for every later request.
/// </summary>
public sealed class WhisperEngine : ITranscriptionEngine
{
    /// <summary>The model names <see cref="TryParseModel"/> knows, for error messages.</summary>
    public static readonly string KnownModels = "tiny, tiny.en, base, base.en, small, small.en, medium, medium.en, large-v1, large-v2, large-v3, large-v3-turbo";

    private readonly WorkerOptions options;
    private readonly ILogger<WhisperEngine> logger;
    private readonly Func<GgmlType, CancellationToken, Task<Stream>> download;
    private readonly SemaphoreSlim loading = new(1, 1);
    private WhisperFactory? factory;

    /// <summary>Creates the engine; nothing is loaded until the first request.</summary>
    public WhisperEngine(IOptions<WorkerOptions> options, ILogger<WhisperEngine> logger)
        : this(options, logger, (type, ct) => WhisperGgmlDownloader.Default.GetGgmlModelAsync(type, QuantizationType.NoQuantization, ct))
    {
    }

    /// <summary>Creates the engine with another model source (tests: a download that fails without internet).</summary>
    internal WhisperEngine(IOptions<WorkerOptions> options, ILogger<WhisperEngine> logger, Func<GgmlType, CancellationToken, Task<Stream>> download)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.options = options.Value;
        this.logger = logger;
        this.download = download;
    }

    /// <inheritdoc />
    public string Name => WorkerOptions.Whisper;

    /// <inheritdoc />
    public string Model => options.Model;

    private string ModelPath => options.ModelPath
        ?? throw new WhisperModelException("Worker:ModelPath is not set: the Whisper engine needs a ggml model file.");

    /// <summary>Reads a model name such as <c>base</c>, <c>base.en</c> or <c>large-v3</c> as Whisper.net's <see cref="GgmlType"/>.</summary>
    public static bool TryParseModel(string? model, out GgmlType type)
    {
        type = default;
        if (string.IsNullOrWhiteSpace(model) || !char.IsLetter(model[0]))
        {
            return false;
        }

        var name = model.Replace("-", string.Empty, StringComparison.Ordinal).Replace(".", string.Empty, StringComparison.Ordinal).Replace("_", string.Empty, StringComparison.Ordinal);
        return Enum.TryParse(name, ignoreCase: true, out type) && Enum.IsDefined(type);
    }

    /// <summary>
    /// Loads the model (downloading it first when allowed), so a missing or broken model shows before any audio.
    /// </summary>
    /// <exception cref="WhisperModelException">The file is missing and could not be fetched, or is not a ggml model.</exception>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        await loading.WaitAsync(cancellationToken);
        try
        {
            if (factory is not null)
            {
                return;
            }

            var path = ModelPath;
            if (!File.Exists(path))
            {
                await DownloadAsync(path, cancellationToken);
            }

            var loaded = WhisperFactory.FromPath(path);
            try
            {
                // The native model is read when the first processor is built: build one now to find a bad file here.
                using var probe = loaded.CreateBuilder().WithLanguage("auto").Build();
            }
            catch (WhisperModelLoadException e)
            {
                loaded.Dispose();
                throw new WhisperModelException($"Whisper model file '{path}' could not be loaded: it is corrupt or not a ggml model ({e.Message}). Replace it with a ggml model such as ggml-base.bin.", e);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Whisper.net throws several types when libwhisper cannot be loaded (missing file, CPU without AVX).
                loaded.Dispose();
                throw new TranscriptionEngineException($"Whisper.net's native runtime could not be loaded ({e.GetType().Name}: {e.Message}). The CPU runtime needs x64 with AVX, AVX2, FMA and F16C, or ARM64; otherwise use the PocketSphinx engine.", e);
            }

            factory = loaded;
            WorkerLog.ModelLoaded(logger, path, RuntimeOptions.LoadedLibrary?.ToString() ?? "unknown");
        }
        finally
        {
            loading.Release();
        }
    }

    /// <inheritdoc />
    public async Task<EngineTranscript> TranscribeAsync(NormalizedAudio audio, string language, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(audio);
        await LoadAsync(cancellationToken);
        // whisper.cpp knows bare codes ("en", "ja"): the shared rule cuts "pt_BR" to "pt" and maps "english" to "en".
        var requested = LanguageCode.TryNormalize(language, out var code)
            ? code ?? LanguageCode.Auto
            : throw new UnsupportedLanguageException($"Whisper does not know the language '{language}'.");
        var samples = WavFile.ReadSamples(audio.Path);
        var segments = new List<EngineSegment>();
        string? detected = null;
        try
        {
            await using var processor = factory!.CreateBuilder().WithLanguage(requested).Build();
            await foreach (var s in processor.ProcessAsync(samples, cancellationToken))
            {
                detected ??= s.Language;
                var text = s.Text.Trim();
                if (text.Length == 0)
                {
                    continue;
                }

                // whisper.cpp can overshoot the end of the last window: keep every segment inside the audio, in order.
                var floor = segments.Count > 0 ? segments[^1].End : TimeSpan.Zero;
                var start = Clamp(s.Start, floor, audio.Duration);
                segments.Add(new EngineSegment(start, Clamp(s.End, start, audio.Duration), text));
            }
        }
        catch (WhisperProcessingException e)
        {
            throw new TranscriptionEngineException($"Whisper failed on the audio (error code {e.ErrorCode}).", e);
        }

        return new EngineTranscript(segments, requested != "auto" ? requested : detected ?? "auto");
    }

    /// <inheritdoc />
    public void Dispose()
    {
        factory?.Dispose();
        loading.Dispose();
    }

    private async Task DownloadAsync(string path, CancellationToken cancellationToken)
    {
        if (!options.DownloadModel)
        {
            throw new WhisperModelException($"Whisper model file '{path}' (Worker:ModelPath) was not found. Put a ggml model there (e.g. ggml-{options.Model}.bin), or set Worker:DownloadModel=true on a machine that reaches the internet.");
        }

        if (!TryParseModel(options.Model, out var type))
        {
            throw new WhisperModelException($"Whisper model file '{path}' was not found, and '{options.Model}' (Worker:Model) is not a model that can be downloaded; use one of {KnownModels}.");
        }

        WorkerLog.ModelDownloading(logger, path, options.Model);
        var partial = path + ".download";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            await using (var source = await download(type, cancellationToken))
            await using (var target = File.Create(partial))
            {
                await source.CopyToAsync(target, cancellationToken);
            }

            // Only a complete download takes the model's name, so an interrupted one is never loaded as a model.
            File.Move(partial, path, overwrite: true);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw new WhisperModelException($"Whisper model file '{path}' was not found and downloading ggml model '{options.Model}' failed: {e.Message}. Without internet, copy a ggml model file there by hand.", e);
        }
        finally
        {
            File.Delete(partial);
        }
    }

    private static TimeSpan Clamp(TimeSpan value, TimeSpan min, TimeSpan max) =>
        value < min ? min : value > max ? (min > max ? min : max) : value;
}
