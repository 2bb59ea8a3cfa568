using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Orchard.Domain.Json;

namespace Orchard.Domain.Dispatch;

/// <summary>Speaks the seed worker contract: <c>POST {url}/transcribe</c> with a WAV body, JSON back.</summary>
public sealed class WorkerClient(IHttpClientFactory clients, IOptions<DispatchOptions> options)
{
    public const string HttpClientName = "orchard-workers";

    /// <summary>
    /// Sends the audio and returns the validated answer; every failure is a <see cref="WorkerFailedException"/> with
    /// its kind (unreachable, timeout, 5xx, invalid answer).
    /// </summary>
    public async Task<WorkerTranscription> TranscribeAsync(string workerId, string workerUrl, Stream wav, double sentMs, string? language, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var uri = $"{workerUrl.TrimEnd('/')}/transcribe" + (string.IsNullOrEmpty(language) ? string.Empty : $"?language={Uri.EscapeDataString(language)}");
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        using var content = new StreamContent(wav);
        content.Headers.ContentType = new MediaTypeHeaderValue("audio/wav");
        HttpResponseMessage response;
        string body;
        try
        {
            response = await clients.CreateClient(HttpClientName).PostAsync(uri, content, timeoutSource.Token);
            body = await response.Content.ReadAsStringAsync(timeoutSource.Token);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new WorkerFailedException(workerId, WorkerFailureKind.Timeout, $"no answer within {timeout.TotalSeconds:0} s", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new WorkerFailedException(workerId, WorkerFailureKind.Unreachable, ex.Message, ex);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw new WorkerFailedException(workerId, WorkerFailureKind.ServerError, $"HTTP {(int)response.StatusCode}: {Truncate(body)}");
            }

            return Validate(workerId, body, sentMs);
        }
    }

    /// <summary>Checks the answer's shape and that segment times lie inside the sent audio, in order.</summary>
    public WorkerTranscription Validate(string workerId, string body, double sentMs)
    {
        WorkerTranscription? answer;
        try
        {
            answer = JsonSerializer.Deserialize<WorkerTranscription>(body, OrchardJson.Options);
        }
        catch (JsonException ex)
        {
            throw new WorkerFailedException(workerId, WorkerFailureKind.InvalidAnswer, $"not the /transcribe JSON: {ex.Message}", ex);
        }

        if (answer is null || answer.Text is null || answer.Segments is null)
        {
            throw new WorkerFailedException(workerId, WorkerFailureKind.InvalidAnswer, "the answer lacks 'text' or 'segments'");
        }

        var tolerance = options.Value.SegmentTolerance.TotalMilliseconds;
        var previousStart = double.MinValue;
        foreach (var s in answer.Segments)
        {
            if (s.Text is null || s.StartMs < -tolerance || s.EndMs < s.StartMs || s.EndMs > sentMs + tolerance || s.StartMs < previousStart)
            {
                throw new WorkerFailedException(workerId, WorkerFailureKind.InvalidAnswer,
                    $"segment {s.StartMs:0}–{s.EndMs:0} ms is out of order or outside the {sentMs:0} ms of audio sent");
            }

            previousStart = s.StartMs;
        }

        return answer;
    }

    private static string Truncate(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
