using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchard.Domain.Dispatch;
using Orchard.Domain.Jobs;
using Orchard.Domain.Json;
using Orchard.Domain.Net;
using Orchard.Domain.Webhooks;

namespace Orchard.Domain.Application;

/// <summary>
/// A job's completion callback: checked when the job is submitted (<see cref="CheckUrl"/>), then, once the job is
/// completed, failed or cancelled, POSTed as the job's summary, signed (<see cref="WebhookSignature"/>), one attempt at
/// a time (<see cref="AttemptAsync"/>; the orchestration waits between them). Each attempt records
/// <c>callback: {status, attempts, last_error}</c> in the job's document. The receiver's answer body is never read:
/// only its status counts, so a callback URL cannot be used to read what answers there.
/// </summary>
public sealed partial class CallbackDelivery(
    JobReader reader, JobProgress progress, IHttpClientFactory clients, OutboundUrlPolicy policy, IOptions<WebhooksOptions> options, TimeProvider time, ILogger<CallbackDelivery> logger)
{
    public const string HttpClientName = "orchard-webhooks";

    private const string What = "callback_url";

    /// <summary>
    /// The callback URL a submission may store (null when none was given); throws <see cref="OutboundUrlRefusedException"/>
    /// for a URL the policy refuses, <see cref="WebhooksUnavailableException"/> when this deployment cannot sign.
    /// </summary>
    public string? CheckUrl(string? url)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return null;
        }

        var uri = policy.Check(url, What);
        if (string.IsNullOrEmpty(options.Value.Secret))
        {
            throw new WebhooksUnavailableException();
        }

        return uri.AbsoluteUri;
    }

    /// <summary>
    /// One delivery. Idempotent: a callback already delivered or given up is not sent again (an activity can run twice;
    /// receivers should still treat a repeat of the same job and status as one event).
    /// </summary>
    public async Task<CallbackResult> AttemptAsync(CallbackAttempt attempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        JobDocument document;
        try
        {
            document = await reader.GetDocumentAsync(attempt.JobId, cancellationToken);
        }
        catch (JobNotFoundException)
        {
            return CallbackResult.None; // deleted meanwhile: there is no one left to tell about it
        }

        var summary = document.Summary;
        if (summary.CallbackUrl is not { } url || !JobLifecycle.IsTerminal(summary.Status))
        {
            return CallbackResult.None;
        }

        if (summary.Callback is { Status: not CallbackStatus.Pending } done)
        {
            return done.Status == CallbackStatus.Delivered ? CallbackResult.Delivered : CallbackResult.GaveUp;
        }

        var (result, error) = await SendAsync(summary, url, cancellationToken);
        var final = result == CallbackResult.Retry && attempt.Attempt >= attempt.MaxAttempts ? CallbackResult.GaveUp : result;
        var status = final switch
        {
            CallbackResult.Delivered => CallbackStatus.Delivered,
            CallbackResult.GaveUp => CallbackStatus.Failed,
            _ => CallbackStatus.Pending,
        };
        await progress.RecordCallbackAsync(attempt.JobId, new CallbackState(status, attempt.Attempt, error), cancellationToken);
        if (error is not null)
        {
            LogAttemptFailed(logger, attempt.JobId, attempt.Attempt, attempt.MaxAttempts, error, final == CallbackResult.Retry);
        }

        return final;
    }

    private async Task<(CallbackResult Result, string? Error)> SendAsync(JobSummary summary, string url, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (string.IsNullOrEmpty(settings.Secret))
        {
            return (CallbackResult.GaveUp, "not sent: Webhooks:Secret is not set on this deployment");
        }

        Uri uri;
        try
        {
            // Again at delivery: the settings may have changed since the job was submitted.
            uri = policy.Check(url, What);
        }
        catch (OutboundUrlRefusedException ex)
        {
            return (CallbackResult.GaveUp, $"not sent: {ex.Message}");
        }

        // The summary as GET /jobs?view=summary lists it; the delivery state is left out (it changes per attempt).
        var body = System.Text.Encoding.UTF8.GetBytes(OrchardJson.Serialize(summary with { Callback = null }));
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = content };
        request.Headers.Add(WebhookSignature.HeaderName, WebhookSignature.Create(settings.Secret, time.GetUtcNow().ToUnixTimeSeconds(), body));
        request.Headers.Add("X-Orchard-Event", "job." + OrchardJson.Serialize(summary.Status).Trim('"'));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.Timeout);
        try
        {
            using var response = await clients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var code = (int)response.StatusCode;
            return code switch
            {
                >= 200 and < 300 => (CallbackResult.Delivered, null),
                >= 300 and < 400 => (CallbackResult.GaveUp, $"answered HTTP {code}; redirects are not followed"),
                408 or 429 or >= 500 => (CallbackResult.Retry, $"answered HTTP {code}"),
                _ => (CallbackResult.GaveUp, $"answered HTTP {code}"),
            };
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (CallbackResult.Retry, $"no answer within {settings.Timeout.TotalSeconds:0.#} s");
        }
        catch (HttpRequestException ex) when (Refused(ex) is { } refused)
        {
            return (CallbackResult.GaveUp, $"not sent: {refused.Message}");
        }
        catch (HttpRequestException ex)
        {
            // The kind only: a socket error's text would tell the caller about hosts it cannot otherwise see.
            return (CallbackResult.Retry, $"could not connect ({ex.HttpRequestError})");
        }
    }

    private static OutboundUrlRefusedException? Refused(Exception ex)
    {
        for (var inner = ex.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is OutboundUrlRefusedException refused)
            {
                return refused;
            }
        }

        return null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Callback of job {JobId}, attempt {Attempt} of {MaxAttempts}: {Error} (retrying: {Retrying})")]
    private static partial void LogAttemptFailed(ILogger logger, string jobId, int attempt, int maxAttempts, string error, bool retrying);
}

/// <summary>A submission asked for a callback, but this deployment has no secret to sign it with (maps to 501).</summary>
public sealed class WebhooksUnavailableException()
    : InvalidOperationException("This deployment cannot send signed callbacks: the administrator has not set Webhooks:Secret. Submit without callback_url, or ask for it to be set.");
