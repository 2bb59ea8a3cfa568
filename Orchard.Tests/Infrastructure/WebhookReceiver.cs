using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Orchard.Tests.Infrastructure;

/// <summary>One POST a <see cref="WebhookReceiver"/> got: its headers of interest and the exact body bytes.</summary>
public sealed record WebhookDelivery(string? Signature, string? Event, string? ContentType, byte[] Body, DateTimeOffset At);

/// <summary>
/// A client's webhook endpoint on 127.0.0.1: records every POST to <c>/hook</c> and answers the scripted statuses in
/// order, then 200; its answers carry a body, which Orchard must never read into anything a client sees.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentQueue<WebhookDelivery> deliveries = new();
    private readonly ConcurrentQueue<int> answers;

    private WebhookReceiver(WebApplication app, IEnumerable<int> answers)
    {
        this.app = app;
        this.answers = new ConcurrentQueue<int>(answers);
    }

    /// <summary>The URL to give as callback_url.</summary>
    public string Url { get; private set; } = string.Empty;

    public IReadOnlyList<WebhookDelivery> Deliveries => deliveries.ToArray();

    /// <summary>Starts a receiver answering <paramref name="answers"/> in turn, then 200 to everything.</summary>
    public static async Task<WebhookReceiver> StartAsync(params int[] answers)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new WebhookReceiver(app, answers);
        app.MapPost("/hook", receiver.ReceiveAsync);
        await app.StartAsync();
        receiver.Url = app.Urls.First() + "/hook";
        return receiver;
    }

    private async Task<IResult> ReceiveAsync(HttpRequest request)
    {
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body);
        deliveries.Enqueue(new WebhookDelivery(
            request.Headers["X-Orchard-Signature"].FirstOrDefault(), request.Headers["X-Orchard-Event"].FirstOrDefault(), request.ContentType, body.ToArray(), DateTimeOffset.UtcNow));
        return Results.Text("receiver says: internal detail", statusCode: answers.TryDequeue(out var status) ? status : 200);
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await app.StopAsync(timeout.Token);
        await app.DisposeAsync();
    }
}
