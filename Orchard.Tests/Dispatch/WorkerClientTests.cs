using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orchard.Domain.Dispatch;
using Orchard.Domain.Workers;
using Orchard.Tests.Infrastructure;
using Orchard.Tests.Worker;

namespace Orchard.Tests.Dispatch;

/// <summary>The master's side of <c>/transcribe</c> against fake workers speaking real HTTP on loopback.</summary>
public sealed class WorkerClientTests
{
    private static readonly WorkerClient Client = NewClient(new Orchard.Domain.Net.OutboundUrlPolicy(allowPrivateNetworks: true, allowHttp: true));

    private static WorkerClient NewClient(Orchard.Domain.Net.OutboundUrlPolicy policy, ILogger<WorkerClient>? logger = null) => new(
        new ServiceCollection().AddHttpClient().BuildServiceProvider().GetRequiredService<IHttpClientFactory>(),
        policy,
        logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger<WorkerClient>.Instance);

    private static Task<NormalizedAnswer> SendAsync(FakeWorker worker, string? language = null) =>
        Client.TranscribeAsync("w1", worker.Url, new MemoryStream(WorkerAudio.Wav16k(2)), 2000, language, TimeSpan.FromSeconds(30), CancellationToken.None);

    private static IResult Json(string body) => Results.Text(body, "application/json");

    [Theory]
    [InlineData("""{"text": "a", "segments": [{"start_ms": "NaN", "end_ms": 100, "text": "a"}]}""", "segments[0].start_ms")]
    [InlineData("""{"text": "a", "segments": [{"start_ms": 0, "end_ms": "Infinity", "text": "a"}]}""", "segments[0].end_ms")]
    [InlineData("""{"text": "a", "segments": [{"start_ms": "12", "end_ms": 100, "text": "a"}]}""", "segments[0].start_ms")]
    [InlineData("""{"text": "a", "segments": [{"start_ms": 0, "end_ms": 1e999, "text": "a"}]}""", "segment 0 lacks numeric")]
    [InlineData("""{"text": "a", "segments": [{"start_ms": NaN, "end_ms": 100, "text": "a"}]}""", "segments[0].start_ms")]
    [InlineData("""{"text": "a", "segments": [{"start_ms": null, "end_ms": 100, "text": "a"}]}""", "start_ms")]
    [InlineData("""<html>502 Bad Gateway</html>""", "$")]
    [InlineData("""{"hello": "world"}""", "neither")]
    public async Task TranscribeAsync_RejectsAsUnreadable_WhenTimesAreNotNumbersOrTheBodyIsNotTheContract(string body, string named)
    {
        await using var worker = await FakeWorker.StartAsync();
        worker.Respond = _ => Json(body);

        var error = await Assert.ThrowsAsync<WorkerFailedException>(() => SendAsync(worker));

        Assert.Equal(WorkerFailureKind.InvalidAnswer, error.Kind);
        Assert.Contains(named, error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TranscribeAsync_GivesTheSameReason_ForTheSameUnreadableAnswerWithOtherDetails()
    {
        await using var worker = await FakeWorker.StartAsync();
        worker.Respond = _ => Json("""{"time_ms": 7, "segments": [{"start_ms": "NaN", "end_ms": 1, "text": "a"}]}""");
        var first = await Assert.ThrowsAsync<WorkerFailedException>(() => SendAsync(worker));
        worker.Respond = _ => Json("""{"time_ms": 123456, "segments": [{"start_ms": "NaN", "end_ms": 1, "text": "a"}]}""");
        var second = await Assert.ThrowsAsync<WorkerFailedException>(() => SendAsync(worker));

        Assert.Equal(first.Reason, second.Reason);
    }

    [Fact]
    public async Task TranscribeAsync_RejectsAnAnswerOver8MB_WithoutReadingItToTheEnd()
    {
        // A raw socket, not Kestrel (which drops writes after the client hangs up): every byte counted reached the master.
        const long offered = 256L * 1024 * 1024;
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        long written = 0;
        var serving = Task.Run(async () =>
        {
            using var socket = await listener.AcceptSocketAsync();
            await using var stream = new NetworkStream(socket);
            await ReadRequestAsync(stream);
            await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{\"text\": \""));
            var piece = Encoding.ASCII.GetBytes(new string('a', 64 * 1024));
            try
            {
                while (written < offered)
                {
                    await stream.WriteAsync(piece);
                    Interlocked.Add(ref written, piece.Length);
                }
            }
            catch (IOException)
            {
                // The master hung up, as it should.
            }
        });
        var url = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";

        var error = await Assert.ThrowsAsync<WorkerFailedException>(() =>
            Client.TranscribeAsync("w1", url, new MemoryStream(WorkerAudio.Wav16k(2)), 2000, null, TimeSpan.FromSeconds(30), CancellationToken.None));
        await serving.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(WorkerFailureKind.InvalidAnswer, error.Kind);
        Assert.Contains("over 8 MB", error.Reason, StringComparison.Ordinal);
        Assert.True(Interlocked.Read(ref written) < offered / 4, $"the worker wrote {Interlocked.Read(ref written)} bytes: the answer was read far past the cap");
    }

    /// <summary>Reads the request line, headers and Content-Length body of one HTTP/1.1 request.</summary>
    private static async Task ReadRequestAsync(Stream stream)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (head.Count < 65536 && !(head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
        {
            if (await stream.ReadAsync(one) == 0)
            {
                return;
            }

            head.Add(one[0]);
        }

        var length = Encoding.ASCII.GetString(head.ToArray()).Split("\r\n")
            .Where(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            .Select(l => long.Parse(l["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture))
            .FirstOrDefault();
        var buffer = new byte[8192];
        for (long read = 0; read < length;)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, length - read)));
            if (n == 0)
            {
                return;
            }

            read += n;
        }
    }

    [Theory]
    [InlineData(422, WorkerFailureKind.Declined)]
    [InlineData(400, WorkerFailureKind.Declined)]
    [InlineData(429, WorkerFailureKind.ServerError)]
    [InlineData(503, WorkerFailureKind.ServerError)]
    public async Task TranscribeAsync_TellsARefusalFromAFailure_ByStatus(int status, WorkerFailureKind kind)
    {
        await using var worker = await FakeWorker.StartAsync();
        worker.Respond = _ => Results.Text("The PocketSphinx engine recognizes English only; 'ja' was asked for.", "text/plain", statusCode: status);

        var error = await Assert.ThrowsAsync<WorkerFailedException>(() => SendAsync(worker, "ja"));

        Assert.Equal(kind, error.Kind);
        Assert.Equal($"answered HTTP {status}", error.Reason);
    }

    [Fact]
    public async Task TranscribeAsync_LogsTheErrorBodyBoundedAndNeverPutsItInTheError_WhenWorkerAnswers500()
    {
        // A URL pointing at an internal service must not let the caller read it through job errors.
        await using var worker = await FakeWorker.StartAsync();
        var body = "internal-api-key=sk_live_SECRET123\r\n\u001b[31m" + new string('x', 5000);
        worker.Respond = _ => Results.Text(body, "text/plain", statusCode: 500);
        using var logs = new CapturingLoggerFactory();
        var client = NewClient(new Orchard.Domain.Net.OutboundUrlPolicy(allowPrivateNetworks: true, allowHttp: true), logs.CreateLogger<WorkerClient>());

        var error = await Assert.ThrowsAsync<WorkerFailedException>(() =>
            client.TranscribeAsync("w1", worker.Url, new MemoryStream(WorkerAudio.Wav16k(2)), 2000, null, TimeSpan.FromSeconds(30), CancellationToken.None));

        Assert.Equal("Worker w1 failed (ServerError): answered HTTP 500", error.Message);
        var logged = Assert.Single(logs.Lines, l => l.Contains("SECRET123", StringComparison.Ordinal));
        Assert.True(logged.Length < 700, $"logged {logged.Length} characters");
        Assert.DoesNotContain(logged, char.IsControl);
    }

    [Fact]
    public async Task TranscribeAsync_FailsWithoutCalling_WhenTheStoredUrlIsRefusedByThePolicy()
    {
        await using var worker = await FakeWorker.StartAsync();
        var client = NewClient(new Orchard.Domain.Net.OutboundUrlPolicy(allowPrivateNetworks: false, allowHttp: true));

        var error = await Assert.ThrowsAsync<WorkerFailedException>(() =>
            client.TranscribeAsync("w1", worker.Url, new MemoryStream(WorkerAudio.Wav16k(2)), 2000, null, TimeSpan.FromSeconds(30), CancellationToken.None));

        Assert.Equal(WorkerFailureKind.Unreachable, error.Kind);
        Assert.Contains("Workers:AllowPrivateNetworks", error.Reason, StringComparison.Ordinal);
        Assert.Equal(0, worker.Requests);
    }

    [Fact]
    public async Task TranscribeAsync_NormalizesAnEngineLikeAnswer_AndSendsTheLanguage()
    {
        await using var worker = await FakeWorker.StartAsync();
        string? asked = null;
        worker.Respond = request =>
        {
            asked = request.Language;
            return Json("""{"text": "one two", "time_ms": 12.5, "segments": [{"start_ms": 1500, "end_ms": 4000, "text": "two"}, {"start_ms": 0, "end_ms": 900, "text": "one"}, {"start_ms": 900, "end_ms": 900, "text": " "}]}""");
        };

        var answer = await SendAsync(worker, "pt");

        Assert.Equal("pt", asked);
        Assert.Equal(["one", "two"], answer.Transcription.Segments.Select(s => s.Text));
        Assert.Equal(2000, answer.Transcription.Segments[1].EndMs);
        Assert.Equal((1, 1, 1), (answer.Changes.Clamped, answer.Changes.DroppedEmpty, answer.Changes.Reordered));
    }
}
