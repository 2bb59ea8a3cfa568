using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orchard.Worker.Audio;
using Orchard.Worker.Core;
using Orchard.Worker.Engines;
using Orchard.Worker.Transcription;
using Orchard.Tests.Infrastructure;

namespace Orchard.Tests.Worker;

public class TranscriptionServiceTests
{
    private static TranscriptionService Create(ScriptedEngine engine, WorkerOptions? options = null)
    {
        var wrapped = Options.Create(options ?? new WorkerOptions());
        return new TranscriptionService(engine, new AudioNormalizer(wrapped), wrapped, NullLogger<TranscriptionService>.Instance);
    }

    private static MemoryStream Body(double seconds) => new(WorkerAudio.Wav16k(seconds));

    [Fact]
    public async Task TranscribeAsync_BuildsTheContractAnswer_FromEngineSegments()
    {
        var engine = new ScriptedEngine();
        using var service = Create(engine);

        var answer = await service.TranscribeAsync(Body(2), "de", includeFormattedLog: true, CancellationToken.None);

        Assert.Equal("hello there general kenobi", answer.Text);
        Assert.Equal(["00:00:00.000", "00:00:01.000"], answer.Segments.Select(s => s.Start));
        Assert.Equal([1000L, 2000L], answer.Segments.Select(s => s.EndMs));
        Assert.Equal(("scripted-model", "scripted", "de", 2), (answer.Metadata.Model, answer.Metadata.Engine, answer.Metadata.Language, answer.Metadata.SegmentsCount));
        Assert.Equal(32, answer.Metadata.RequestId.Length);
        Assert.True(DateTimeOffset.TryParse(answer.Metadata.ServerTime, System.Globalization.CultureInfo.InvariantCulture, out _));
        Assert.Equal("[00:00:00.000 --> 00:00:01.000]  hello there\n[00:00:01.000 --> 00:00:02.000]  general kenobi\n", answer.FormattedLog);
        Assert.False(File.Exists(engine.LastAudio!.Path), "the request's files are removed");
    }

    [Fact]
    public async Task TranscribeAsync_UsesConfiguredLanguage_WhenRequestNamesNone()
    {
        var engine = new ScriptedEngine();
        using var service = Create(engine, new WorkerOptions { Language = "en" });

        var answer = await service.TranscribeAsync(Body(1), null, includeFormattedLog: false, CancellationToken.None);

        Assert.Equal("en", engine.LastLanguage);
        Assert.Null(answer.FormattedLog);
    }

    [Fact]
    public async Task TranscribeAsync_ThrowsNoAudioData_WhenBodyEmptyOrWithoutSamples()
    {
        var engine = new ScriptedEngine();
        using var service = Create(engine);

        await Assert.ThrowsAsync<NoAudioDataException>(() => service.TranscribeAsync(new MemoryStream(), null, false, CancellationToken.None));
        await Assert.ThrowsAsync<NoAudioDataException>(() => service.TranscribeAsync(Body(0), null, false, CancellationToken.None));
        Assert.Equal(0, engine.Calls);
    }

    [Fact]
    public async Task TranscribeAsync_RunsOneAtATime_SecondWaitsForFirst()
    {
        var release = new TaskCompletionSource();
        var running = 0;
        var most = 0;
        var engine = new ScriptedEngine();
        var scripted = engine.Handler;
        engine.Handler = async (audio, language, ct) =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref most, now);
            await release.Task.WaitAsync(ct);
            Interlocked.Decrement(ref running);
            return await scripted(audio, language, ct);
        };
        using var service = Create(engine);

        var first = service.TranscribeAsync(Body(1), null, false, CancellationToken.None);
        await Poll.UntilAsync(() => engine.Calls == 1, "the first request in the engine");
        var second = service.TranscribeAsync(Body(1), null, false, CancellationToken.None);
        release.SetResult();
        await Task.WhenAll(first, second);

        Assert.Equal(2, engine.Calls);
        Assert.Equal(1, most);
    }

    [Fact]
    public async Task TranscribeAsync_ThrowsBusy_WhenAnotherHoldsTheWorkerPastQueueTimeout()
    {
        var release = new TaskCompletionSource();
        var engine = new ScriptedEngine();
        var scripted = engine.Handler;
        engine.Handler = async (audio, language, ct) =>
        {
            await release.Task.WaitAsync(ct);
            return await scripted(audio, language, ct);
        };
        using var service = Create(engine, new WorkerOptions { QueueTimeout = TimeSpan.FromMilliseconds(100) });

        var first = service.TranscribeAsync(Body(1), null, false, CancellationToken.None);
        await Poll.UntilAsync(() => engine.Calls == 1, "the first request in the engine");
        await Assert.ThrowsAsync<WorkerBusyException>(() => service.TranscribeAsync(Body(1), null, false, CancellationToken.None));
        release.SetResult();
        await first;

        Assert.Equal(1, engine.Calls);
    }

    [Fact]
    public async Task TranscribeAsync_ThrowsTimeout_WhenEngineRunsPastTimeout()
    {
        var engine = new ScriptedEngine
        {
            Handler = async (_, _, ct) =>
            {
                await Task.Delay(Timeout.Infinite, ct);
                return new EngineTranscript([], "en");
            },
        };
        using var service = Create(engine, new WorkerOptions { Timeout = TimeSpan.FromMilliseconds(200) });

        var error = await Assert.ThrowsAsync<TimeoutException>(() => service.TranscribeAsync(Body(1), null, false, CancellationToken.None));

        Assert.Contains("Worker:Timeout", error.Message, StringComparison.Ordinal);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
