using Spectre.Console;

namespace Orchard.Cli.Commands;

/// <summary>The transcript formats the master renders (<c>GET /jobs/{id}/transcript?format=</c>).</summary>
public static class TranscriptFormat
{
    public static readonly string[] Known = ["txt", "srt", "vtt", "json"];

    public static ValidationResult Validate(string format) =>
        Known.Contains(format, StringComparer.Ordinal)
            ? ValidationResult.Success()
            : ValidationResult.Error($"--format must be one of {string.Join(", ", Known)}.");
}
