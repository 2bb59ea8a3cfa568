using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Orchard.Tests.Audio;
using Orchard.Worker.Engines;
using Orchard.Tests.Infrastructure;

namespace Orchard.Tests.Worker;

/// <summary>The worker contract over HTTP, through a real Kestrel on loopback.</summary>
public class WorkerEndpointsTests
{
    private static ByteArrayContent Wav(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("audio/wav");
        return content;
    }

    [Fact]
    public async Task GetRoot_Returns200WithShortText()
    {
        await using var worker = await WorkerHost.StartAsync(new ScriptedEngine());

        using var response = await worker.Http.GetAsync(new Uri("/", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("Orchard worker", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostTranscribe_Returns400NoAudioData_WhenBodyEmpty()
    {
        var engine = new ScriptedEngine();
        await using var worker = await WorkerHost.StartAsync(engine);

        using var response = await worker.Http.PostAsync(new Uri("/transcribe", UriKind.Relative), Wav([]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("No audio data", await response.Content.ReadAsStringAsync());
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, engine.Calls);
    }

    [Fact]
    public async Task PostTranscribe_ReturnsContractJsonWithoutFormattedLog_WhenNotAsked()
    {
        await using var worker = await WorkerHost.StartAsync(new ScriptedEngine());

        using var response = await worker.Http.PostAsync(new Uri("/transcribe?language=fr", UriKind.Relative), Wav(WorkerAudio.Wav16k(3)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        Assert.Equal(["text", "time_ms", "metadata", "segments"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("hello there general kenobi", root.GetProperty("text").GetString());
        Assert.True(root.GetProperty("time_ms").GetInt64() >= 0);
        var metadata = root.GetProperty("metadata");
        Assert.Equal(["model", "engine", "language", "request_id", "server_time", "segments_count"], metadata.EnumerateObject().Select(p => p.Name));
        Assert.Equal("scripted-model", metadata.GetProperty("model").GetString());
        Assert.Equal("scripted", metadata.GetProperty("engine").GetString());
        Assert.Equal("fr", metadata.GetProperty("language").GetString());
        Assert.Equal(2, metadata.GetProperty("segments_count").GetInt32());
        var segment = root.GetProperty("segments")[1];
        Assert.Equal(["start", "end", "start_ms", "end_ms", "text"], segment.EnumerateObject().Select(p => p.Name));
        Assert.Equal("00:00:01.500", segment.GetProperty("start").GetString());
        Assert.Equal("00:00:03.000", segment.GetProperty("end").GetString());
        Assert.Equal(1500, segment.GetProperty("start_ms").GetInt64());
        Assert.Equal(3000, segment.GetProperty("end_ms").GetInt64());
        Assert.Equal("general kenobi", segment.GetProperty("text").GetString());
    }

    [Fact]
    public async Task PostTranscribe_AddsFormattedLog_WhenAsked()
    {
        await using var worker = await WorkerHost.StartAsync(new ScriptedEngine());

        using var response = await worker.Http.PostAsync(new Uri("/transcribe?include_formatted_log=true", UriKind.Relative), Wav(WorkerAudio.Wav16k(2)));

        var body = await response.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(body);
        Assert.Equal(
            "[00:00:00.000 --> 00:00:01.000]  hello there\n[00:00:01.000 --> 00:00:02.000]  general kenobi\n",
            json.RootElement.GetProperty("formatted_log").GetString());
        Assert.Contains("-->", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostTranscribe_Returns400_WhenLanguageIsNotACode()
    {
        var engine = new ScriptedEngine();
        await using var worker = await WorkerHost.StartAsync(engine);

        using var response = await worker.Http.PostAsync(new Uri("/transcribe?language=en;rm", UriKind.Relative), Wav(WorkerAudio.Wav16k(1)));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, engine.Calls);
    }

    [Theory]
    [InlineData("english", "en")]
    [InlineData("pt_BR", "pt")]
    [InlineData("JA-jp", "ja")]
    public async Task PostTranscribe_AsksTheEngineForTheCanonicalCode_ByTheMastersRule(string asked, string expected)
    {
        var engine = new ScriptedEngine();
        await using var worker = await WorkerHost.StartAsync(engine);

        using var response = await worker.Http.PostAsync(new Uri($"/transcribe?language={asked}", UriKind.Relative), Wav(WorkerAudio.Wav16k(1)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(expected, json.RootElement.GetProperty("metadata").GetProperty("language").GetString());
    }

    [Fact]
    public async Task PostTranscribe_Returns422_WhenPocketSphinxIsAskedForAnotherLanguage()
    {
        await using var worker = await WorkerHost.StartAsync(engine: null);

        using var response = await worker.Http.PostAsync(new Uri("/transcribe?language=japanese", UriKind.Relative), Wav(WorkerAudio.Wav16k(1)));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("English only", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostTranscribe_Returns500PlainText_WhenEngineFails()
    {
        var engine = new ScriptedEngine { Handler = (_, _, _) => throw new TranscriptionEngineException("decoder exploded") };
        await using var worker = await WorkerHost.StartAsync(engine);

        using var response = await worker.Http.PostAsync(new Uri("/transcribe", UriKind.Relative), Wav(WorkerAudio.Wav16k(1)));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("decoder exploded", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task PostTranscribe_Returns500PlainText_WhenEngineThrowsUnexpectedly()
    {
        var engine = new ScriptedEngine { Handler = (_, _, _) => throw new InvalidOperationException("bug in engine") };
        await using var worker = await WorkerHost.StartAsync(engine);

        using var response = await worker.Http.PostAsync(new Uri("/transcribe", UriKind.Relative), Wav(WorkerAudio.Wav16k(1)));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("InvalidOperationException: bug in engine", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task PostTranscribe_ConvertsOtherWav_BeforeTheEngine()
    {
        using var dir = new TempDir();
        var input = dir.File("stereo.wav");
        TestSignalBuilder.Ffmpeg("-f", "lavfi", "-i", "sine=frequency=200:sample_rate=48000:duration=2", "-ac", "2", input);
        var engine = new ScriptedEngine();
        await using var worker = await WorkerHost.StartAsync(engine);

        using var response = await worker.Http.PostAsync(new Uri("/transcribe", UriKind.Relative), Wav(await File.ReadAllBytesAsync(input)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.InRange(engine.LastAudio!.SampleCount, 31900, 32100);
    }

    [Fact]
    public async Task PostTranscribe_Returns500PlainText_WhenBodyIsNotAudio()
    {
        await using var worker = await WorkerHost.StartAsync(new ScriptedEngine());

        using var response = await worker.Http.PostAsync(new Uri("/transcribe", UriKind.Relative), Wav("not audio at all"u8.ToArray()));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains("not audio", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostTranscribe_Returns503WithRetryAfter_WhenBusyPastQueueTimeout()
    {
        var release = new TaskCompletionSource();
        var engine = new ScriptedEngine();
        var scripted = engine.Handler;
        engine.Handler = async (audio, language, ct) =>
        {
            await release.Task.WaitAsync(ct);
            return await scripted(audio, language, ct);
        };
        await using var worker = await WorkerHost.StartAsync(engine, "--Worker:QueueTimeout=00:00:00.100");

        var first = worker.Http.PostAsync(new Uri("/transcribe", UriKind.Relative), Wav(WorkerAudio.Wav16k(1)));
        await Poll.UntilAsync(() => engine.Calls == 1, "the first request in the engine");
        using var second = await worker.Http.PostAsync(new Uri("/transcribe", UriKind.Relative), Wav(WorkerAudio.Wav16k(1)));
        release.SetResult();
        using var firstResponse = await first;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode);
        Assert.NotNull(second.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, firstResponse.StatusCode);
    }

    [Fact]
    public async Task PostTranscribe_TranscribesEspeakSpeechWithPocketSphinx_EndToEnd()
    {
        using var dir = new TempDir();
        var speech = WorkerAudio.Speech(dir, 1.0, "Good morning everyone.", "The meeting starts at ten.");
        await using var worker = await WorkerHost.StartAsync(engine: null);

        using var response = await worker.Http.PostAsync(new Uri("/transcribe", UriKind.Relative), Wav(await File.ReadAllBytesAsync(speech)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        Assert.False(string.IsNullOrWhiteSpace(root.GetProperty("text").GetString()));
        Assert.Equal("pocketsphinx", root.GetProperty("metadata").GetProperty("engine").GetString());
        Assert.Equal("en-us", root.GetProperty("metadata").GetProperty("model").GetString());
        Assert.Equal("en", root.GetProperty("metadata").GetProperty("language").GetString());
        var segments = root.GetProperty("segments").EnumerateArray().ToList();
        Assert.Equal(root.GetProperty("metadata").GetProperty("segments_count").GetInt32(), segments.Count);
        Assert.NotEmpty(segments);
        var previousEnd = 0L;
        foreach (var s in segments)
        {
            var start = s.GetProperty("start_ms").GetInt64();
            var end = s.GetProperty("end_ms").GetInt64();
            Assert.True(previousEnd <= start && start <= end, $"{start}-{end} after {previousEnd}");
            previousEnd = end;
        }

        Assert.False(root.TryGetProperty("formatted_log", out _));
    }
}
