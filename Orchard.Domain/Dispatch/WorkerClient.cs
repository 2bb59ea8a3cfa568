using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Orchard.Domain.IO;
using Orchard.Domain.Json;
using Orchard.Domain.Net;
using Orchard.Domain.Workers;

namespace Orchard.Domain.Dispatch;

/// <summary>
/// Speaks the seed worker contract: <c>POST {url}/transcribe</c> with a WAV body, JSON back. Only to URLs the
/// <see cref="OutboundUrlPolicy"/> allows (a worker stored before the policy, or since the settings changed, is
/// refused here), and a worker's error body goes to the log only: echoed into job errors it would let a caller read
/// whatever internal service a URL points to.
/// </summary>
public sealed partial class WorkerClient(IHttpClientFactory clients, OutboundUrlPolicy policy, ILogger<WorkerClient> logger)
{
    public const string HttpClientName = "orchard-workers";

    /// <summary>The largest answer read: a 3-minute chunk's answer is tens of kilobytes; this bounds a hostile one.</summary>
    public const int MaxAnswerBytes = 8 * 1024 * 1024;

    /// <summary>How much of an error body is read, and logged.</summary>
    private const int MaxErrorBytes = 512;

    /// <summary>
    /// The contract read strictly: the web defaults also read numbers from strings, so <c>"NaN"</c> or
    /// <c>"Infinity"</c> would become times (dotnet/runtime#114896). A time must be a JSON number.
    /// </summary>
    private static readonly JsonSerializerOptions AnswerJson = Strict();

    /// <summary>
    /// Sends the audio and returns the answer, normalised (<see cref="AnswerNormalizer"/>); every failure is a
    /// <see cref="WorkerFailedException"/> with its kind (unreachable, timeout, 5xx, declined, unreadable answer).
    /// </summary>
    public async Task<NormalizedAnswer> TranscribeAsync(string workerId, string workerUrl, Stream wav, double sentMs, string? language, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            policy.Check(workerUrl, "The worker URL");
        }
        catch (OutboundUrlRefusedException ex)
        {
            throw new WorkerFailedException(workerId, WorkerFailureKind.Unreachable, $"not called: {ex.Message}", ex);
        }

        var uri = $"{workerUrl.TrimEnd('/')}/transcribe" + (string.IsNullOrEmpty(language) ? string.Empty : $"?language={Uri.EscapeDataString(language)}");
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        using var content = new StreamContent(wav);
        content.Headers.ContentType = new MediaTypeHeaderValue("audio/wav");
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = content };
        try
        {
            // Headers only: the body is read under a cap, never buffered whole by the client.
            using var response = await clients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeoutSource.Token);
            if (!response.IsSuccessStatusCode)
            {
                var status = (int)response.StatusCode;
                var kind = IsRefusal(response.StatusCode) ? WorkerFailureKind.Declined : WorkerFailureKind.ServerError;
                LogErrorBody(logger, workerId, status, await ReadErrorAsync(response, timeoutSource.Token));
                throw new WorkerFailedException(workerId, kind, $"answered HTTP {status}");
            }

            return await ReadAnswerAsync(workerId, response, sentMs, timeoutSource.Token);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new WorkerFailedException(workerId, WorkerFailureKind.Timeout, $"no answer within {timeout.TotalSeconds:0} s", ex);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            throw new WorkerFailedException(workerId, WorkerFailureKind.Unreachable, ex.Message, ex);
        }
    }

    /// <summary>Reads and normalises an answer body; an unreadable one is <see cref="WorkerFailureKind.InvalidAnswer"/>.</summary>
    public static async Task<NormalizedAnswer> ReadAsync(string workerId, Stream body, double sentMs, CancellationToken cancellationToken)
    {
        try
        {
            await using var capped = new LimitedReadStream(body, MaxAnswerBytes, () => new AnswerUnreadableException(TooLarge(MaxAnswerBytes)));
            var answer = await JsonSerializer.DeserializeAsync<WorkerAnswer>(capped, AnswerJson, cancellationToken)
                ?? throw new AnswerUnreadableException("the answer is JSON null");
            return AnswerNormalizer.Normalize(answer, sentMs);
        }
        catch (JsonException ex)
        {
            // The position is left out: the same answer must give the same reason from any worker.
            throw Unreadable(workerId, $"not the /transcribe JSON at {ex.Path ?? "$"}: {Cause(ex)}", ex);
        }
        catch (AnswerUnreadableException ex)
        {
            throw Unreadable(workerId, ex.Message, ex);
        }
    }

    private static async Task<NormalizedAnswer> ReadAnswerAsync(string workerId, HttpResponseMessage response, double sentMs, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength > MaxAnswerBytes)
        {
            throw Unreadable(workerId, TooLarge(MaxAnswerBytes), null);
        }

        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        return await ReadAsync(workerId, body, sentMs, cancellationToken);
    }

    /// <summary>
    /// A 4xx is the worker refusing a request it cannot serve (a language, a size), not failing: except 408 and
    /// 429, which say "not now".
    /// </summary>
    private static bool IsRefusal(HttpStatusCode status) =>
        (int)status is >= 400 and < 500 && status is not HttpStatusCode.RequestTimeout and not HttpStatusCode.TooManyRequests;

    /// <summary>The start of an error body, for the log only: bounded, one line, no control characters.</summary>
    private static async Task<string> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            var buffer = new byte[MaxErrorBytes];
            var read = 0;
            int n;
            while (read < buffer.Length && (n = await body.ReadAsync(buffer.AsMemory(read), cancellationToken)) > 0)
            {
                read += n;
            }

            var text = Encoding.UTF8.GetString(buffer, 0, read);
            return new string(text.Select(c => char.IsControl(c) ? ' ' : c).ToArray()).Trim();
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            return $"(the body could not be read: {ex.GetType().Name})";
        }
    }

    private static WorkerFailedException Unreadable(string workerId, string reason, Exception? inner) =>
        new(workerId, WorkerFailureKind.InvalidAnswer, reason, inner);

    private static string Cause(JsonException ex)
    {
        var message = ex.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut < 0)
        {
            cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        }

        return cut < 0 ? message : message[..cut];
    }

    private static JsonSerializerOptions Strict()
    {
        var options = new JsonSerializerOptions(OrchardJson.Options) { NumberHandling = JsonNumberHandling.Strict };
        options.MakeReadOnly();
        return options;
    }

    private static string TooLarge(long cap) => $"the answer is over {cap / (1024 * 1024)} MB";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Worker {WorkerId} answered HTTP {Status}; its body began: {Body}")]
    private static partial void LogErrorBody(ILogger logger, string workerId, int status, string body);
}
