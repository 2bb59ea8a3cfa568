using Microsoft.Extensions.Options;
using Orchard.Worker.Audio;
using Orchard.Worker.Contract;
using Orchard.Worker.Core;

namespace Orchard.Worker.Engines;

/// <summary>
/// CMU PocketSphinx from Debian (<c>pocketsphinx</c>, <c>pocketsphinx-en-us</c>): offline English recognition with no
/// model download, so the whole system can run and be tested on a machine without internet. Runs
/// <c>pocketsphinx_continuous -infile a.wav -time yes -hmm H -lm L -dict D</c> per request and reads its word times.
/// </summary>
public sealed class PocketSphinxEngine(IOptions<WorkerOptions> options) : ITranscriptionEngine
{
    private readonly WorkerOptions options = options.Value;

    /// <inheritdoc />
    public string Name => WorkerOptions.PocketSphinx;

    /// <summary>The acoustic model's directory name (<c>en-us</c>).</summary>
    public string Model => Path.GetFileName(options.PocketSphinxHmm.TrimEnd('/'));

    /// <summary>Its acoustic and language models are English ones.</summary>
    public IReadOnlyList<string>? Languages => ["en"];

    /// <summary>True for the languages this engine can be asked for: English, or automatic (which means English here).</summary>
    public static bool Supports(string? language) =>
        LanguageCode.TryNormalize(language, out var code) && LanguageCode.IsEnglishOrAuto(code);

    /// <inheritdoc />
    public async Task<EngineTranscript> TranscribeAsync(NormalizedAudio audio, string language, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(audio);
        if (!Supports(language))
        {
            throw new UnsupportedLanguageException($"The PocketSphinx engine recognizes English only; '{language}' was asked for.");
        }

        var binary = ExternalProcess.Find(options.PocketSphinxBinary)
            ?? throw new TranscriptionEngineException($"'{options.PocketSphinxBinary}' (Worker:PocketSphinxBinary) was not found: apt-get install pocketsphinx pocketsphinx-en-us.");
        var result = await ExternalProcess.RunAsync(binary, Arguments(audio.Path), cancellationToken);

        // 0.8 exits 0 on some fatal errors (an unreadable file): its FATAL line is the only sign.
        if (result.ExitCode != 0 || ErrorLines(result.StandardError).Any(l => l.StartsWith("FATAL", StringComparison.Ordinal)))
        {
            throw new TranscriptionEngineException($"pocketsphinx_continuous failed (exit code {result.ExitCode}): {Errors(result.StandardError)}");
        }

        var words = PocketSphinxOutput.ParseWords(result.StandardOutput);
        return new EngineTranscript(PocketSphinxOutput.Group(words, audio.Duration), "en");
    }

    /// <summary>The command line for one file.</summary>
    public IReadOnlyList<string> Arguments(string wavPath) =>
    [
        "-infile", wavPath,
        "-time", "yes",
        "-hmm", options.PocketSphinxHmm,
        "-lm", options.PocketSphinxLm,
        "-dict", options.PocketSphinxDict,
    ];

    /// <inheritdoc />
    public void Dispose()
    {
        // Nothing held between requests: each one runs its own process.
    }

    private static IEnumerable<string> ErrorLines(string stderr) =>
        stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.StartsWith("ERROR", StringComparison.Ordinal) || l.StartsWith("FATAL", StringComparison.Ordinal));

    private static string Errors(string stderr)
    {
        var lines = ErrorLines(stderr).ToList();
        return lines.Count > 0 ? string.Join(" ", lines.TakeLast(3)) : "no error message";
    }
}
