using System.Text.Json.Serialization;

namespace Orchard.Domain.Jobs;

/// <summary>
/// What normalising a worker's answer changed, shown as the chunk's <c>normalized</c> entry. Every count is of
/// segments: times clamped into the audio sent, segments moved by sorting, segments dropped because their text was
/// empty, segments repeating the previous one's text (kept: a known Whisper hallucination, counted so it shows), and
/// an answer with text but no timed segment (kept as one segment over the whole chunk).
/// </summary>
public sealed record AnswerChanges(int Clamped, int Reordered, int DroppedEmpty, int Repeated, int Untimed)
{
    /// <summary>True when the answer was used as the worker sent it.</summary>
    [JsonIgnore]
    public bool IsEmpty => Clamped == 0 && Reordered == 0 && DroppedEmpty == 0 && Repeated == 0 && Untimed == 0;
}
