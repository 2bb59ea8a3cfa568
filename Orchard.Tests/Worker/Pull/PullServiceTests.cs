using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orchard.Tests.Infrastructure;
using Orchard.Worker.Audio;
using Orchard.Worker.Core;
using Orchard.Worker.Engines;
using Orchard.Worker.Pull;
using Orchard.Worker.Registration;
using Orchard.Worker.Transcription;

namespace Orchard.Tests.Worker.Pull;

/// <summary>The pull loop against a fake master speaking worker protocol v1 over real HTTP on 127.0.0.1.</summary>
public class PullServiceTests
{
    [Fact]
    public async Task ExecuteAsync_PostsTheAnswerAndDeletesTheAudio_WhenAChunkIsLeased()
    {
        await using var master = await FakeMaster.StartAsync();
        var engine = new ScriptedEngine { Languages = ["en", "de"] };
        await using var worker = await PullWorker.StartAsync(master.Url, engine, key: "secret-key");
        var downloadedWhileTranscribing = false;
        engine.Handler = (audio, language, _) =>
        {
            downloadedWhileTranscribing = File.Exists(worker.Service.LastDownloadPath);
            return new ScriptedEngine().Handler(audio, language, CancellationToken.None);
        };

        var lease = master.Offer(WorkerAudio.Wav16k(2), language: "english");
        await Poll.UntilAsync(() => worker.Service.Answered == 1, "the result accepted");

        var registration = Assert.Single(master.Registrations);
        Assert.Equal(JsonValueKind.Null, registration.GetProperty("url").ValueKind);
        Assert.Equal("pull-worker", registration.GetProperty("name").GetString());
        Assert.Equal("scripted-model", registration.GetProperty("model").GetString());
        Assert.Equal(["en", "de"], registration.GetProperty("languages").EnumerateArray().Select(l => l.GetString()));
        Assert.Equal(1, registration.GetProperty("protocol").GetInt32());
        Assert.Equal(25, master.LeasePollBodies.First().GetProperty("wait_seconds").GetInt32());
        Assert.Equal("secret-key", Assert.Single(lease.Downloads));
        Assert.True(downloadedWhileTranscribing, "the engine ran while the downloaded audio was on disk");
        Assert.Equal("en", engine.LastLanguage);

        var result = Assert.Single(lease.Results);
        Assert.Equal("hello there general kenobi", result.GetProperty("text").GetString());
        var segments = result.GetProperty("segments").EnumerateArray().ToList();
        Assert.Equal([0L, 1000L], segments.Select(s => s.GetProperty("start_ms").GetInt64()));
        Assert.Equal([1000L, 2000L], segments.Select(s => s.GetProperty("end_ms").GetInt64()));
        Assert.Equal("scripted-model", result.GetProperty("metadata").GetProperty("model").GetString());
        Assert.Equal("en", result.GetProperty("metadata").GetProperty("language").GetString());
        Assert.False(result.TryGetProperty("formatted_log", out _));
        Assert.Empty(lease.Failures);

        Assert.False(File.Exists(worker.Service.LastDownloadPath), "the downloaded audio is deleted once answered");
        Assert.False(Directory.Exists(Path.GetDirectoryName(worker.Service.LastDownloadPath)), "and its directory");
        Assert.All(master.Keys, k => Assert.Equal("secret-key", k));
        Assert.All(master.Protocols, p => Assert.Equal("1", p));
    }

    [Fact]
    public async Task ExecuteAsync_DownloadsWithoutTheKey_WhenAudioUrlIsAnotherOrigin()
    {
        await using var master = await FakeMaster.StartAsync();

        // Same server, another origin as far as URLs go: a storage link the master might hand out instead.
        master.AudioOrigin = master.Url.Replace("127.0.0.1", "localhost", StringComparison.Ordinal);
        await using var worker = await PullWorker.StartAsync(master.Url, new ScriptedEngine(), key: "secret-key");

        var lease = master.Offer(WorkerAudio.Wav16k(1));
        await Poll.UntilAsync(() => worker.Service.Answered == 1, "the result accepted");

        Assert.Equal(string.Empty, Assert.Single(lease.Downloads));
        Assert.Contains("secret-key", master.Keys);
    }

    [Fact]
    public async Task ExecuteAsync_RenewsTheLease_WhileTranscribing()
    {
        await using var master = await FakeMaster.StartAsync();
        var engine = new ScriptedEngine();
        var inner = engine.Handler;
        engine.Handler = async (audio, language, ct) =>
        {
            await Task.Delay(TimeSpan.FromMilliseconds(600), ct);
            return await inner(audio, language, ct);
        };
        await using var worker = await PullWorker.StartAsync(master.Url, engine);

        var lease = master.Offer(WorkerAudio.Wav16k(1), renewEverySeconds: 0.1);
        await Poll.UntilAsync(() => worker.Service.Answered == 1, "the result accepted");

        Assert.True(lease.Renewals >= 2, $"{lease.Renewals} renewals in 600 ms at 100 ms");
        Assert.Single(lease.Results);
    }

    [Fact]
    public async Task ExecuteAsync_PollsAgain_WhenLeaseAnswers204()
    {
        await using var master = await FakeMaster.StartAsync();
        var engine = new ScriptedEngine();
        await using var worker = await PullWorker.StartAsync(master.Url, engine);

        await Poll.UntilAsync(() => worker.Service.Polls >= 3, "three lease polls answered 204");
        Assert.Equal(0, worker.Service.Leases);
        Assert.Equal(0, engine.Calls);
        Assert.NotEmpty(master.Heartbeats);

        var lease = master.Offer(WorkerAudio.Wav16k(1));
        await Poll.UntilAsync(() => worker.Service.Answered == 1, "the chunk offered after the 204s answered");
        Assert.Single(lease.Results);
        Assert.Single(master.Registrations);
    }

    [Fact]
    public async Task ExecuteAsync_StopsTranscriptionAndPostsNothing_WhenRenewalGets409()
    {
        await using var master = await FakeMaster.StartAsync();
        var engine = new ScriptedEngine();
        var cancelled = false;
        engine.Handler = async (_, _, ct) =>
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(60), ct);
            }
            catch (OperationCanceledException)
            {
                cancelled = true;
                throw;
            }

            throw new InvalidOperationException("the transcription was not cancelled");
        };
        await using var worker = await PullWorker.StartAsync(master.Url, engine);

        var lease = master.Offer(WorkerAudio.Wav16k(1), renewEverySeconds: 0.1, cancelAfterRenewals: 1);
        await Poll.UntilAsync(() => worker.Service.Dropped == 1, "the chunk dropped after the 409");
        var polls = master.LeasePolls;
        await Poll.UntilAsync(() => master.LeasePolls > polls, "polling again after dropping the chunk");

        Assert.True(cancelled, "the engine's token was cancelled");
        Assert.True(lease.Cancelled);
        Assert.Empty(lease.Results);
        Assert.Empty(lease.Failures);
        Assert.False(File.Exists(worker.Service.LastDownloadPath), "the dropped chunk's audio is deleted");
    }

    [Fact]
    public async Task ExecuteAsync_RegistersAgainWithSameId_WhenLeaseGets404()
    {
        await using var master = await FakeMaster.StartAsync();

        // No idle heartbeat falls due, so only the lease poll can learn that the master forgot the worker.
        master.HeartbeatIntervalSeconds = 3600;
        await using var worker = await PullWorker.StartAsync(master.Url, new ScriptedEngine());
        await Poll.UntilAsync(() => worker.Service.Polls >= 1, "a first lease poll");

        master.Forget();
        await Poll.UntilAsync(() => worker.Service.Registrations == 2, "a registration after the 404");
        var lease = master.Offer(WorkerAudio.Wav16k(1));
        await Poll.UntilAsync(() => worker.Service.Answered == 1, "a chunk answered after registering again");

        var registrations = master.Registrations.ToArray();
        Assert.Equal(2, registrations.Length);
        Assert.Equal("worker/1", registrations[1].GetProperty("id").GetString());
        Assert.Equal("worker/1", worker.Service.WorkerId);
        Assert.Empty(master.Heartbeats);
        Assert.Single(lease.Results);
    }

    [Fact]
    public async Task ExecuteAsync_PostsFailWithTheReason_WhenEngineFails()
    {
        await using var master = await FakeMaster.StartAsync();
        var engine = new ScriptedEngine { Handler = (_, _, _) => throw new TranscriptionEngineException("the model file is corrupt") };
        await using var worker = await PullWorker.StartAsync(master.Url, engine);

        var lease = master.Offer(WorkerAudio.Wav16k(1));
        await Poll.UntilAsync(() => worker.Service.Failed == 1, "the failure posted");

        var failure = Assert.Single(lease.Failures);
        Assert.Contains("the model file is corrupt", failure.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.False(failure.GetProperty("declined").GetBoolean());
        Assert.Empty(lease.Results);
        Assert.False(File.Exists(worker.Service.LastDownloadPath), "the failed chunk's audio is deleted");
    }

    [Fact]
    public async Task ExecuteAsync_PostsDeclined_WhenEngineRefusesTheLanguage()
    {
        await using var master = await FakeMaster.StartAsync();
        var engine = new ScriptedEngine { Handler = (_, language, _) => throw new UnsupportedLanguageException($"no '{language}' here") };
        await using var worker = await PullWorker.StartAsync(master.Url, engine);

        var lease = master.Offer(WorkerAudio.Wav16k(1), language: "ja");
        await Poll.UntilAsync(() => worker.Service.Failed == 1, "the refusal posted");

        var failure = Assert.Single(lease.Failures);
        Assert.True(failure.GetProperty("declined").GetBoolean());
        Assert.Contains("'ja'", failure.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExecuteAsync_DeclinesWithoutDownloading_WhenEngineDoesNotListTheLanguage()
    {
        await using var master = await FakeMaster.StartAsync();
        var engine = new ScriptedEngine { Languages = ["en"] };
        await using var worker = await PullWorker.StartAsync(master.Url, engine);

        var lease = master.Offer(WorkerAudio.Wav16k(1), language: "ja");
        await Poll.UntilAsync(() => worker.Service.Failed == 1, "the refusal posted");

        Assert.True(Assert.Single(lease.Failures).GetProperty("declined").GetBoolean());
        Assert.Empty(lease.Downloads);
        Assert.Equal(0, engine.Calls);
    }

    [Fact]
    public async Task ExecuteAsync_GivesTheChunkBackUntranscribed_WhenAudioExceedsMaxAudioBytes()
    {
        await using var master = await FakeMaster.StartAsync();
        var engine = new ScriptedEngine();
        await using var worker = await PullWorker.StartAsync(master.Url, engine, maxAudioBytes: 1000);

        var lease = master.Offer(WorkerAudio.Wav16k(1));
        await Poll.UntilAsync(() => worker.Service.Failed == 1, "the failure posted");

        var failure = Assert.Single(lease.Failures);
        Assert.Contains("Worker:MaxAudioBytes", failure.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.False(failure.GetProperty("declined").GetBoolean());
        Assert.Equal(0, engine.Calls);
        Assert.False(File.Exists(worker.Service.LastDownloadPath), "the partial download is deleted");
    }

    [Fact]
    public async Task ExecuteAsync_KeepsRetryingThenRegisters_WhenMasterIsDownAtFirst()
    {
        var port = FakeMaster.FreePort();
        await using var worker = await PullWorker.StartAsync($"http://127.0.0.1:{port}", new ScriptedEngine());
        await Poll.UntilAsync(() => worker.Service.Failures >= 3, "three failed attempts while the master is down");
        Assert.Null(worker.Service.WorkerId);
        Assert.Null(worker.Service.ExecuteTask?.Exception);

        await using var master = await FakeMaster.StartAsync(port);
        var lease = master.Offer(WorkerAudio.Wav16k(1));
        await Poll.UntilAsync(() => worker.Service.Answered == 1, "a chunk answered once the master is up");

        Assert.Single(master.Registrations);
        Assert.Single(lease.Results);
    }

    /// <summary>A <see cref="PullService"/> with real HTTP and transcription, a scripted engine and short retries.</summary>
    private sealed class PullWorker : IAsyncDisposable
    {
        private readonly HttpClient http;
        private readonly TranscriptionService transcription;

        private PullWorker(HttpClient http, TranscriptionService transcription, PullService service)
        {
            this.http = http;
            this.transcription = transcription;
            Service = service;
        }

        public PullService Service { get; }

        public static async Task<PullWorker> StartAsync(string masterUrl, ScriptedEngine engine, string? key = null, long maxAudioBytes = 256L * 1024 * 1024)
        {
            var options = Options.Create(new WorkerOptions
            {
                MasterUrl = masterUrl,
                FunctionKey = key,
                Name = "pull-worker",
                MaxAudioBytes = maxAudioBytes,
                RetryInitialDelay = TimeSpan.FromMilliseconds(50),
                RetryMaxDelay = TimeSpan.FromMilliseconds(200),
            });
            var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
            var transcription = new TranscriptionService(engine, new AudioNormalizer(options), options, NullLogger<TranscriptionService>.Instance);
            var service = new PullService(new MasterClient(http, options), transcription, options, NullLogger<PullService>.Instance);
            var worker = new PullWorker(http, transcription, service);
            await service.StartAsync(CancellationToken.None);
            return worker;
        }

        public async ValueTask DisposeAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await Service.StopAsync(timeout.Token);
            Assert.True(Service.ExecuteTask?.IsCompleted, "the loop ends when the host stops");
            Service.Dispose();
            transcription.Dispose();
            http.Dispose();
        }
    }
}
