using Microsoft.Extensions.Options;
using Orchard.Worker.Core;

namespace Orchard.Worker.Audio;

/// <summary>Audio ready for an engine: a canonical 16 kHz mono 16-bit WAV file.</summary>
/// <param name="Path">The file.</param>
/// <param name="SampleCount">How many samples it holds.</param>
public sealed record NormalizedAudio(string Path, long SampleCount)
{
    /// <summary>The audio's length; every segment must end inside it.</summary>
    public TimeSpan Duration => TimeSpan.FromSeconds(SampleCount / (double)WavFile.SampleRate);
}

/// <summary>
/// Turns a request body into <see cref="NormalizedAudio"/>: 16 kHz mono 16-bit WAV (what the master sends) is copied
/// under a canonical header in-process; anything else is converted with ffmpeg.
/// </summary>
public sealed class AudioNormalizer(IOptions<WorkerOptions> options)
{
    private readonly WorkerOptions options = options.Value;

    /// <summary>Normalizes <paramref name="inputPath"/> into <paramref name="outputPath"/>.</summary>
    /// <exception cref="AudioFormatException">The input is not audio ffmpeg can read, or ffmpeg is missing.</exception>
    public async Task<NormalizedAudio> NormalizeAsync(string inputPath, string outputPath, CancellationToken cancellationToken)
    {
        await using (var input = File.OpenRead(inputPath))
        {
            if (WavFile.ReadLayout(input) is { IsEngineFormat: true } layout)
            {
                // PocketSphinx 0.8 reads a fixed 44-byte header, so extra chunks (LIST, fact) must not reach it.
                var length = layout.DataLength & ~1L;
                await using var output = File.Create(outputPath);
                WavFile.WriteHeader(output, length);
                input.Position = layout.DataOffset;
                await CopyAsync(input, output, length, cancellationToken);
                return new NormalizedAudio(outputPath, length / 2);
            }
        }

        return await ConvertAsync(inputPath, outputPath, cancellationToken);
    }

    private async Task<NormalizedAudio> ConvertAsync(string inputPath, string outputPath, CancellationToken cancellationToken)
    {
        var ffmpeg = ExternalProcess.Find(options.Ffmpeg)
            ?? throw new AudioFormatException($"The audio is not 16 kHz mono 16-bit WAV and '{options.Ffmpeg}' (Worker:Ffmpeg) was not found to convert it: install ffmpeg or send 16 kHz mono WAV.");

        // Raw samples, then our own header: ffmpeg's WAV writer adds a LIST chunk PocketSphinx 0.8 would read as audio.
        var raw = outputPath + ".raw";
        try
        {
            var result = await ExternalProcess.RunAsync(
                ffmpeg,
                ["-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i", inputPath, "-vn", "-ac", "1", "-ar", "16000", "-f", "s16le", "-acodec", "pcm_s16le", raw],
                cancellationToken);
            if (result.ExitCode != 0 || !File.Exists(raw))
            {
                throw new AudioFormatException($"The request body is not audio ffmpeg can read: {LastLine(result.StandardError)}");
            }

            await using var input = File.OpenRead(raw);
            await using var output = File.Create(outputPath);
            var length = input.Length & ~1L;
            WavFile.WriteHeader(output, length);
            await CopyAsync(input, output, length, cancellationToken);
            return new NormalizedAudio(outputPath, length / 2);
        }
        finally
        {
            File.Delete(raw);
        }
    }

    private static async Task CopyAsync(Stream input, Stream output, long length, CancellationToken cancellationToken)
    {
        var buffer = new byte[81920];
        while (length > 0)
        {
            var read = await input.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, length)), cancellationToken);
            if (read == 0)
            {
                break;
            }

            await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            length -= read;
        }
    }

    private static string LastLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "no message";
}
