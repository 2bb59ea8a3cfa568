using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Orchard.Cli.Master;

/// <summary>
/// Orchard's HTTP API as the commands use it. Every refusal becomes a <see cref="MasterRefusedException"/> carrying the
/// master's own <c>{"error"}</c> sentence; an unreachable master becomes one sentence naming the URL (never the key).
/// </summary>
public sealed class MasterClient : IDisposable
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(100);
    private readonly HttpMessageHandler handler;
    private readonly HttpClient master;

    private MasterClient(Uri baseUrl, string? key, HttpMessageHandler handler)
    {
        this.handler = handler;
        BaseUrl = baseUrl;
        // Uploads of tens of megabytes may take long on a slow link: calls that should be quick get their own timeout.
        master = new HttpClient(handler, disposeHandler: false) { BaseAddress = baseUrl, Timeout = Timeout.InfiniteTimeSpan };
        if (!string.IsNullOrEmpty(key))
        {
            master.DefaultRequestHeaders.Add("x-functions-key", key);
        }

        // The upload URL carries its own signature: the function key never goes to the storage service.
        Storage = new HttpClient(handler, disposeHandler: false) { Timeout = TimeSpan.FromMinutes(10) };
    }

    public Uri BaseUrl { get; }

    /// <summary>For the storage service behind upload URLs: no function key.</summary>
    public HttpClient Storage { get; }

    /// <summary>The master named by the options, else by <c>ORCHARD_MASTER</c> and <c>ORCHARD_KEY</c>.</summary>
    public static MasterClient Create(MasterSettings settings, CliEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(environment);
        var url = settings.Master ?? environment.Variable("ORCHARD_MASTER");
        if (string.IsNullOrWhiteSpace(url))
        {
            throw new CliException("Say which master to use: --master http://host:7071, or set ORCHARD_MASTER.");
        }

        if (!Uri.TryCreate(url.Trim().TrimEnd('/') + "/", UriKind.Absolute, out var baseUrl) || baseUrl.Scheme is not ("http" or "https"))
        {
            throw new CliException($"The master URL '{url.Trim()}' is not an http:// or https:// URL; pass one such as http://127.0.0.1:7071.");
        }

        return new MasterClient(baseUrl, settings.Key ?? environment.Variable("ORCHARD_KEY"), environment.Handler());
    }

    public async Task<JsonObject> GetJsonAsync(string path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Relative(path));
        return await SendJsonAsync(request, CallTimeout, cancellationToken);
    }

    public async Task<string> GetTextAsync(string path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Relative(path));
        using var response = await SendAsync(request, CallTimeout, cancellationToken);
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    /// <summary>A call whose answer is a JSON object; <paramref name="timeout"/> null: as long as the body takes.</summary>
    public async Task<JsonObject> SendJsonAsync(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        using var request = new HttpRequestMessage(method, Relative(path)) { Content = content };
        return await SendJsonAsync(request, timeout ?? CallTimeout, cancellationToken);
    }

    public void Dispose()
    {
        master.Dispose();
        Storage.Dispose();
        handler.Dispose();
    }

    /// <summary>The sentence for a request that never got an answer.</summary>
    public static string Unreachable(Uri url, Exception ex) =>
        $"Could not reach {url.GetLeftPart(UriPartial.Authority)}: {(ex.InnerException ?? ex).Message.TrimEnd('.')}. Check the URL and that the service is running.";

    private async Task<JsonObject> SendJsonAsync(HttpRequestMessage request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(request, timeout, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            return JsonNode.Parse(text) as JsonObject ?? throw new JsonException("not an object");
        }
        catch (JsonException)
        {
            throw new CliException($"The master at {BaseUrl} answered {request.RequestUri} with something other than a JSON object; is --master the Orchard master?");
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout != Timeout.InfiniteTimeSpan)
        {
            limit.CancelAfter(timeout);
        }

        HttpResponseMessage response;
        try
        {
            response = await master.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, limit.Token);
        }
        catch (HttpRequestException ex)
        {
            throw new CliException(Unreachable(BaseUrl, ex), ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CliException($"The master at {BaseUrl.GetLeftPart(UriPartial.Authority)} did not answer within {timeout.TotalSeconds:0} s; try again.", ex);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            throw new MasterRefusedException((int)response.StatusCode, await RefusalAsync(response, cancellationToken));
        }
    }

    /// <summary>The master's <c>{"error"}</c> sentence, or one naming the status when the answer has none.</summary>
    public static async Task<string> RefusalAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            if (JsonNode.Parse(text) is JsonObject { } body && body["error"] is JsonValue error && error.TryGetValue<string>(out var sentence))
            {
                return sentence;
            }
        }
        catch (JsonException)
        {
        }

        return response.StatusCode switch
        {
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => $"The master refused the request ({(int)response.StatusCode}): pass its function key with --key or ORCHARD_KEY.",
            HttpStatusCode.NotFound => $"The master has no {response.RequestMessage?.RequestUri?.AbsolutePath} (404): is --master the Orchard master?",
            _ => $"The master answered {(int)response.StatusCode} {response.ReasonPhrase}.",
        };
    }

    private static Uri Relative(string path) => new(path.TrimStart('/'), UriKind.Relative);
}
