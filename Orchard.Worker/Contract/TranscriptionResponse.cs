using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchard.Worker.Contract;

/// <summary>The 200 answer of <c>POST /transcribe</c>, the JSON shape every Orchard worker serves.</summary>
/// <param name="Text">All segments' text, joined by spaces.</param>
/// <param name="TimeMs">How long the transcription took on this worker.</param>
/// <param name="Metadata">Engine, model, language and request details.</param>
/// <param name="Segments">In order, relative to the received audio.</param>
/// <param name="FormattedLog">One <c>[start --> end]  text</c> line per segment; only when asked for.</param>
public sealed record TranscriptionResponse(
    string Text,
    long TimeMs,
    ResponseMetadata Metadata,
    IReadOnlyList<ResponseSegment> Segments,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? FormattedLog);

/// <summary>The <c>metadata</c> object of a <see cref="TranscriptionResponse"/>.</summary>
/// <param name="Model">The model's name (<c>base</c>, <c>en-us</c>).</param>
/// <param name="Engine"><c>pocketsphinx</c> or <c>whisper</c>.</param>
/// <param name="Language">The language transcribed.</param>
/// <param name="RequestId">This answer's id, also in the worker's log.</param>
/// <param name="ServerTime">When the answer was made, ISO-8601 UTC.</param>
/// <param name="SegmentsCount">How many segments.</param>
public sealed record ResponseMetadata(string Model, string Engine, string Language, string RequestId, string ServerTime, int SegmentsCount);

/// <summary>One segment of a <see cref="TranscriptionResponse"/>, times as <c>hh:mm:ss.fff</c> and in milliseconds.</summary>
/// <param name="Start">Start as <c>hh:mm:ss.fff</c>.</param>
/// <param name="End">End as <c>hh:mm:ss.fff</c>.</param>
/// <param name="StartMs">Start in milliseconds.</param>
/// <param name="EndMs">End in milliseconds.</param>
/// <param name="Text">What was said.</param>
public sealed record ResponseSegment(string Start, string End, long StartMs, long EndMs, string Text)
{
    /// <summary>A segment from times relative to the audio.</summary>
    public static ResponseSegment From(TimeSpan start, TimeSpan end, string text) =>
        new(Clock(start), Clock(end), (long)start.TotalMilliseconds, (long)end.TotalMilliseconds, text);

    /// <summary><c>hh:mm:ss.fff</c>, the original workers' clock format.</summary>
    public static string Clock(TimeSpan time) => time.ToString(@"hh\:mm\:ss\.fff", CultureInfo.InvariantCulture);
}

/// <summary>The JSON settings of the contract: snake_case names, as the original Flask workers wrote them.</summary>
public static class ContractJson
{
    /// <summary>Serializer options for every contract type.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,

        // The answer is application/json read by the master, never embedded in HTML: keep "-->" and "+00:00" readable.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
