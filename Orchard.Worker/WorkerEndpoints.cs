using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Orchard.Worker.Audio;
using Orchard.Worker.Contract;
using Orchard.Worker.Core;
using Orchard.Worker.Engines;
using Orchard.Worker.Transcription;

namespace Orchard.Worker;

/// <summary>The worker contract's two routes: <c>GET /</c> and <c>POST /transcribe</c>.</summary>
public static class WorkerEndpoints
{
    /// <summary>Maps the routes.</summary>
    public static IEndpointRouteBuilder MapWorker(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGet("/", (TranscriptionService service) =>
            Results.Text($"Orchard worker: {service.Engine.Name} ({service.Engine.Model}) ready\n", "text/plain"));
        endpoints.MapPost("/transcribe", TranscribeAsync);
        return endpoints;
    }

    private static async Task<IResult> TranscribeAsync(HttpContext context, TranscriptionService service, ILoggerFactory loggers)
    {
        var query = context.Request.Query;
        var requested = query["language"].ToString();
        if (!LanguageCode.TryNormalize(requested, out var language))
        {
            return Results.Text($"Invalid language '{(requested.Length <= 40 ? requested : requested[..40])}': use {LanguageCode.Expected}", "text/plain", statusCode: StatusCodes.Status400BadRequest);
        }

        var includeLog = query["include_formatted_log"].ToString() is { Length: > 0 } flag
            && (flag.Equals("true", StringComparison.OrdinalIgnoreCase) || flag == "1");
        try
        {
            var response = await service.TranscribeAsync(context.Request.Body, language, includeLog, context.RequestAborted);
            return Results.Json(response, ContractJson.Options);
        }
        catch (NoAudioDataException)
        {
            return Results.Text("No audio data", "text/plain", statusCode: StatusCodes.Status400BadRequest);
        }
        catch (UnsupportedLanguageException e)
        {
            // A request this engine cannot serve, not a failure: the master sends the chunk to another worker.
            return Results.Text(e.Message, "text/plain", statusCode: StatusCodes.Status422UnprocessableEntity);
        }
        catch (WorkerBusyException e)
        {
            context.Response.Headers.RetryAfter = "5";
            return Results.Text(e.Message, "text/plain", statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        catch (BadHttpRequestException e)
        {
            // Kestrel's own limits (Worker:MaxAudioBytes gives 413).
            return Results.Text(e.Message, "text/plain", statusCode: e.StatusCode);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The master hung up (its own timeout): nobody is left to answer.
            return Results.Empty;
        }
        catch (Exception e) when (e is AudioFormatException or TranscriptionEngineException or TimeoutException)
        {
            WorkerLog.TranscriptionFailed(loggers.CreateLogger(typeof(WorkerEndpoints)), context.TraceIdentifier, e.Message, e);
            return Results.Text(e.Message, "text/plain", statusCode: StatusCodes.Status500InternalServerError);
        }
        catch (Exception e)
        {
            // The contract promises a plain-text 500 for any failure, so the master can log why; never an empty body.
            WorkerLog.TranscriptionFailed(loggers.CreateLogger(typeof(WorkerEndpoints)), context.TraceIdentifier, e.Message, e);
            return Results.Text($"{e.GetType().Name}: {e.Message}", "text/plain", statusCode: StatusCodes.Status500InternalServerError);
        }
    }
}
