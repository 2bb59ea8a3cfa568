using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Orchard.Worker.Contract;
using Orchard.Worker.Core;

namespace Orchard.Worker.Registration;

/// <summary>
/// The master's HTTP triggers for workers (docs/worker-protocol.md): the registry (<c>POST /workers</c>,
/// <c>POST /workers/{id}/heartbeat</c>) and, for pull workers, leases (<c>/workers/{id}/lease</c>,
/// <c>/leases/{lease}/...</c>), with the function key in <c>x-functions-key</c> when one is configured and
/// <c>X-Orchard-Protocol: 1</c>. Every failure comes out as <see cref="MasterUnavailableException"/>, so the caller
/// has one thing to retry on.
/// </summary>
public sealed class MasterClient
{
    /// <summary>The worker protocol version this worker speaks.</summary>
    public const int Protocol = 1;

    private const string KeyHeader = "x-functions-key";
    private const string ProtocolHeader = "X-Orchard-Protocol";
    private readonly HttpClient http;
    private readonly WorkerOptions options;

    /// <summary>Creates the client; <paramref name="http"/> gets the master's URL as its base address.</summary>
    public MasterClient(HttpClient http, IOptions<WorkerOptions> options)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        this.http = http;
        this.options = options.Value;
        if (!string.IsNullOrWhiteSpace(this.options.MasterUrl))
        {
            // A base address without a trailing slash would drop its last path segment from relative URLs.
            http.BaseAddress = new Uri(this.options.MasterUrl.TrimEnd('/') + "/");
        }
    }

    /// <summary>Registers this worker (again, with <see cref="RegistrationRequest.Id"/>, after the master forgot it).</summary>
    /// <exception cref="MasterUnavailableException">The master is down or answered something else than 200 with an id.</exception>
    public async Task<RegistrationResponse> RegisterAsync(RegistrationRequest registration, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "workers")
        {
            Content = JsonContent.Create(registration, options: ContractJson.Options),
        };
        using var response = await SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new MasterUnavailableException($"POST /workers answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }

        try
        {
            var answer = await response.Content.ReadFromJsonAsync<RegistrationResponse>(ContractJson.Options, cancellationToken);
            return answer is { Id.Length: > 0 }
                ? answer
                : throw new MasterUnavailableException("POST /workers answered without an id");
        }
        catch (JsonException e)
        {
            throw new MasterUnavailableException($"POST /workers answered JSON the worker cannot read: {e.Message}", e);
        }
    }

    /// <summary>Tells the master this worker is alive. False when the master does not know <paramref name="workerId"/> (404): register again.</summary>
    /// <exception cref="MasterUnavailableException">The master is down or answered with another error.</exception>
    public async Task<bool> HeartbeatAsync(string workerId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(workerId);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"workers/{Uri.EscapeDataString(workerId)}/heartbeat");
        using var response = await SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        return response.IsSuccessStatusCode
            ? true
            : throw new MasterUnavailableException($"POST /workers/{{id}}/heartbeat answered {(int)response.StatusCode} {response.ReasonPhrase}");
    }

    /// <summary>
    /// Asks for a chunk, waiting up to <paramref name="waitSeconds"/> on the master's side (long poll): the client's
    /// timeout has to be longer than that.
    /// </summary>
    /// <exception cref="MasterUnavailableException">The master is down or answered with another status, or a 200 without a lease or audio URL.</exception>
    public async Task<LeasePoll> LeaseAsync(string workerId, int waitSeconds, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(workerId);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"workers/{Uri.EscapeDataString(workerId)}/lease")
        {
            Content = JsonContent.Create(new { wait_seconds = waitSeconds }),
        };
        using var response = await SendAsync(request, cancellationToken);
        switch (response.StatusCode)
        {
            case HttpStatusCode.NoContent:
                return new LeasePoll(LeasePollKind.NoWork);
            case HttpStatusCode.NotFound:
                return new LeasePoll(LeasePollKind.UnknownWorker);
            case HttpStatusCode.OK:
                var offer = await ReadAsync<LeaseOffer>(response, "POST /workers/{id}/lease", cancellationToken);
                return offer is { LeaseId.Length: > 0, AudioUrl.Length: > 0 }
                    ? new LeasePoll(LeasePollKind.Offer, offer)
                    : throw new MasterUnavailableException("POST /workers/{id}/lease answered 200 without lease_id or audio_url");
            default:
                throw Unexpected("POST /workers/{id}/lease", response);
        }
    }

    /// <summary>Renews a lease. Null when the lease is no longer this worker's (409): stop and drop the chunk.</summary>
    /// <exception cref="MasterUnavailableException">The master is down or answered with another error.</exception>
    public async Task<LeaseRenewal?> RenewAsync(string leaseId, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, LeasePath(leaseId, "heartbeat"));
        using var response = await SendAsync(request, cancellationToken);
        if (IsLost(response.StatusCode))
        {
            return null;
        }

        return response.IsSuccessStatusCode
            ? await ReadAsync<LeaseRenewal>(response, "POST /leases/{lease}/heartbeat", cancellationToken) ?? new LeaseRenewal(null, 0)
            : throw Unexpected("POST /leases/{lease}/heartbeat", response);
    }

    /// <summary>Posts the answer for a lease. Sending it again is safe: the master answers the same.</summary>
    /// <exception cref="MasterUnavailableException">The master is down or answered with another error.</exception>
    public async Task<LeaseAnswerStatus> PostResultAsync(string leaseId, TranscriptionResponse answer, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, LeasePath(leaseId, "result"))
        {
            Content = JsonContent.Create(answer, options: ContractJson.Options),
        };
        using var response = await SendAsync(request, cancellationToken);
        return response.StatusCode == HttpStatusCode.UnprocessableEntity ? LeaseAnswerStatus.Rejected : Answered("POST /leases/{lease}/result", response);
    }

    /// <summary>Gives a lease back: the chunk goes to another worker.</summary>
    /// <exception cref="MasterUnavailableException">The master is down or answered with another error.</exception>
    public async Task<LeaseAnswerStatus> FailAsync(string leaseId, LeaseFailure failure, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, LeasePath(leaseId, "fail"))
        {
            Content = JsonContent.Create(failure, options: ContractJson.Options),
        };
        using var response = await SendAsync(request, cancellationToken);
        return Answered("POST /leases/{lease}/fail", response);
    }

    /// <summary>
    /// Streams a lease's audio to <paramref name="path"/>, at most <paramref name="maxBytes"/>. False when the lease
    /// is gone (404, 409, 410). The function key goes only to the master's own origin: an audio URL elsewhere
    /// (a storage link, say) carries its own authorization and must not receive the key.
    /// </summary>
    /// <exception cref="AudioTooLargeException">The audio is larger than <paramref name="maxBytes"/>.</exception>
    /// <exception cref="MasterUnavailableException">The download failed.</exception>
    public async Task<bool> DownloadAsync(string audioUrl, string path, long maxBytes, CancellationToken cancellationToken)
    {
        if (http.BaseAddress is null)
        {
            throw new MasterUnavailableException("Worker:MasterUrl is not set.");
        }

        if (!Uri.TryCreate(http.BaseAddress, audioUrl, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw new MasterUnavailableException($"the audio URL '{(audioUrl.Length <= 200 ? audioUrl : audioUrl[..200])}' is not an http(s) URL");
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        var withKey = Uri.Compare(url, http.BaseAddress, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;
        using var response = await SendAsync(request, cancellationToken, withKey, HttpCompletionOption.ResponseHeadersRead);
        if (IsLost(response.StatusCode))
        {
            return false;
        }

        if (!response.IsSuccessStatusCode)
        {
            throw Unexpected("GET audio_url", response);
        }

        if (response.Content.Headers.ContentLength > maxBytes)
        {
            throw TooLarge(response.Content.Headers.ContentLength.Value, maxBytes);
        }

        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            await using var file = File.Create(path);
            var buffer = new byte[81920];
            long total = 0;
            int read;
            while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
            {
                total += read;
                if (total > maxBytes)
                {
                    // A server that sends more than it announced (or announced nothing) stops here, not at the disk's end.
                    throw TooLarge(total, maxBytes);
                }

                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
        }
        catch (Exception e) when (e is HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
        {
            throw new MasterUnavailableException($"the audio download broke off: {e.Message}", e);
        }

        return true;
    }

    private static string LeasePath(string leaseId, string action)
    {
        ArgumentException.ThrowIfNullOrEmpty(leaseId);
        return $"leases/{Uri.EscapeDataString(leaseId)}/{action}";
    }

    private static bool IsLost(HttpStatusCode status) =>
        status is HttpStatusCode.Conflict or HttpStatusCode.NotFound or HttpStatusCode.Gone;

    private static LeaseAnswerStatus Answered(string call, HttpResponseMessage response) =>
        IsLost(response.StatusCode) ? LeaseAnswerStatus.Lost
        : response.IsSuccessStatusCode ? LeaseAnswerStatus.Accepted
        : throw Unexpected(call, response);

    private static AudioTooLargeException TooLarge(long bytes, long maxBytes) =>
        new($"the chunk's audio is larger than Worker:MaxAudioBytes ({maxBytes} bytes; {bytes} or more were offered)");

    private static MasterUnavailableException Unexpected(string call, HttpResponseMessage response) =>
        new($"{call} answered {(int)response.StatusCode} {response.ReasonPhrase}");

    private static async Task<T?> ReadAsync<T>(HttpResponseMessage response, string call, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(ContractJson.Options, cancellationToken);
        }
        catch (JsonException e)
        {
            throw new MasterUnavailableException($"{call} answered JSON the worker cannot read: {e.Message}", e);
        }
    }

    private async Task<HttpResponseMessage> SendAsync(
        HttpRequestMessage request,
        CancellationToken cancellationToken,
        bool withKey = true,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        if (http.BaseAddress is null)
        {
            throw new MasterUnavailableException("Worker:MasterUrl is not set.");
        }

        if (withKey && !string.IsNullOrEmpty(options.FunctionKey))
        {
            request.Headers.Add(KeyHeader, options.FunctionKey);
        }

        request.Headers.Add(ProtocolHeader, Protocol.ToString(System.Globalization.CultureInfo.InvariantCulture));
        try
        {
            return await http.SendAsync(request, completion, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new MasterUnavailableException(e.Message, e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new MasterUnavailableException($"no answer within {http.Timeout.TotalSeconds:F0} s", e);
        }
    }
}
