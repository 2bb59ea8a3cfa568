using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Orchard.Worker.Contract;

namespace Orchard.Worker.Registration;

/// <summary>
/// The master's worker-registry HTTP triggers: <c>POST /workers</c> and <c>POST /workers/{id}/heartbeat</c>, with the
/// function key in <c>x-functions-key</c> when one is configured. Every failure comes out as
/// <see cref="MasterUnavailableException"/>, so the caller has one thing to retry on.
/// </summary>
public sealed class MasterClient
{
    private const string KeyHeader = "x-functions-key";
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

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (http.BaseAddress is null)
        {
            throw new MasterUnavailableException("Worker:MasterUrl is not set.");
        }

        if (!string.IsNullOrEmpty(options.FunctionKey))
        {
            request.Headers.Add(KeyHeader, options.FunctionKey);
        }

        try
        {
            return await http.SendAsync(request, cancellationToken);
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
