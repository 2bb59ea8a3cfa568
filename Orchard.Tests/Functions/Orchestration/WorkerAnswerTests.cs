using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Orchard.Domain.Dispatch;
using Orchard.Domain.Jobs;
using Orchard.Domain.Json;
using Orchard.Domain.Storage;
using Orchard.Domain.Transcripts;
using Orchard.Domain.Workers;
using Orchard.Tests.Audio;
using Orchard.Tests.Infrastructure;
using Orchard.Worker.Engines;

namespace Orchard.Tests.Functions.Orchestration;

/// <summary>Jobs through workers that answer as real engines do: out of range, out of order, empty, refusing.</summary>
public sealed class WorkerAnswerTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task RunAsync_KeepsEveryWord_WhenAnswersAreLikeWhisper()
    {
        await using var harness = await OrchestrationHarness.StartAsync();
        await using var worker = await FakeWorker.StartAsync();
        worker.Respond = WhisperLike;
        await harness.Workers.AddAsync(worker.Url);
        var (path, bursts) = OrchestrationHarness.Recording(dir, 90, seed: 41);

        var jobId = await harness.SubmitAsync(path);

        Assert.Equal(JobStatus.Completed, (await harness.WaitAsync(jobId)).Status);
        var transcript = (await harness.TranscriptAsync(jobId))!;
        AssertEveryWord(transcript, bursts, startsExact: true);
        var document = (await harness.Jobs.GetDocumentAsync(jobId))!;
        var speech = document.Chunks.Where(c => c.Status == ChunkStatus.Completed).ToArray();
        Assert.NotEmpty(speech);
        Assert.Equal(speech.Length, transcript.Segments.Count(s => s.Text == "tail"));
        Assert.All(speech, c =>
        {
            var changes = c.Normalized!;
            Assert.True(changes.Clamped >= 2 && changes.Reordered >= 1, $"chunk {c.Index}: {changes}");
            Assert.Equal((2, 1, 0), (changes.DroppedEmpty, changes.Repeated, changes.Untimed));
            Assert.Contains("\"normalized\":{\"clamped\":", OrchardJson.Serialize(c), StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task RunAsync_Completes_WhenAWorkerReplaysRawPocketSphinxOutputOverrunningTheEnd()
    {
        await using var harness = await OrchestrationHarness.StartAsync();
        await using var worker = await FakeWorker.StartAsync();
        var overrunMs = new List<double>();
        worker.Respond = request =>
        {
            // What a thin wrapper around `pocketsphinx_continuous -time yes` answers: its word times, unclamped.
            var words = PocketSphinxOutput.ParseWords(RawPocketSphinx(request, overrunMs: 4000));
            lock (overrunMs)
            {
                overrunMs.Add(words.Max(w => w.End.TotalMilliseconds) - request.SentMs);
            }

            return Results.Json(new
            {
                text = string.Join(' ', words.Select(w => w.Text)),
                time_ms = 10,
                segments = words.Select(w => new { start_ms = w.Start.TotalMilliseconds, end_ms = w.End.TotalMilliseconds, text = w.Text }),
            });
        };
        await harness.Workers.AddAsync(worker.Url);
        var (path, bursts) = OrchestrationHarness.Recording(dir, 90, seed: 43);

        var jobId = await harness.SubmitAsync(path);

        Assert.Equal(JobStatus.Completed, (await harness.WaitAsync(jobId)).Status);
        Assert.Contains(overrunMs, ms => ms > 3000);
        AssertEveryWord((await harness.TranscriptAsync(jobId))!, bursts, startsExact: false);
        var document = (await harness.Jobs.GetDocumentAsync(jobId))!;
        Assert.Contains(document.Chunks, c => c.Normalized?.Clamped > 0);
    }

    [Fact]
    public async Task RunAsync_FailsTheChunkEarly_WhenTwoWorkersGiveTheSameUnreadableAnswer()
    {
        await using var harness = await OrchestrationHarness.StartAsync();
        await using var first = await FakeWorker.StartAsync();
        await using var second = await FakeWorker.StartAsync();
        var answers = 0;
        foreach (var w in new[] { first, second })
        {
            // Whisper run with a broken build: "NaN" times (the web JSON defaults would read them as numbers).
            w.Respond = _ => Results.Text($$"""{"time_ms": {{Interlocked.Increment(ref answers) * 1000}}, "text": "a", "segments": [{"start_ms": "NaN", "end_ms": "NaN", "text": "a"}]}""", "application/json");
            await harness.Workers.AddAsync(w.Url);
        }

        var (path, _) = OrchestrationHarness.Recording(dir, 20, seed: 47);
        var jobId = await harness.SubmitAsync(path);
        var outcome = await harness.WaitAsync(jobId);

        Assert.Equal(JobStatus.Failed, outcome.Status);
        Assert.Contains("gave the same unreadable answer", outcome.Error, StringComparison.Ordinal);
        Assert.Equal(1, (await harness.Jobs.GetDocumentAsync(jobId))!.Summary.TotalChunks);
        Assert.Equal(2, first.Requests + second.Requests);
        var records = new[] { (await harness.Workers.GetAsync(first.Url))!, (await harness.Workers.GetAsync(second.Url))! };
        Assert.Equal(1, records.Sum(r => r.FailedChunks));
        Assert.Contains(records, r => r.ConsecutiveFailures == 0 && r.CooldownUntilMs == 0);
    }

    [Fact]
    public async Task RunAsync_MovesTheChunkToAnotherWorker_WhenAWorkerDeclinesTheLanguage()
    {
        await using var harness = await OrchestrationHarness.StartAsync();
        await using var english = await FakeWorker.StartAsync();
        english.Respond = EnglishOnly;
        await using var any = await FakeWorker.StartAsync(0.02);
        await harness.Workers.AddAsync(english.Url);
        await harness.Workers.AddAsync(any.Url);
        var (path, bursts) = OrchestrationHarness.Recording(dir, 150, seed: 53);

        var jobId = await harness.SubmitAsync(path, language: "japanese");

        Assert.Equal(JobStatus.Completed, (await harness.WaitAsync(jobId)).Status);
        var document = (await harness.Jobs.GetDocumentAsync(jobId))!;
        Assert.Equal("ja", document.Summary.Language);
        Assert.True(document.Summary.TotalChunks >= 2, $"expected several chunks, got {document.Summary.TotalChunks}");
        Assert.True(english.Requests >= 1, "the English-only worker was never asked");
        Assert.Equal(bursts.Count, (await harness.TranscriptAsync(jobId))!.Segments.Count);
        Assert.All(document.Chunks.Where(c => c.Status == ChunkStatus.Completed), c => Assert.Equal((1, any.Url), (c.Attempts, c.WorkerUrl)));
        var decliner = (await harness.Workers.GetAsync(english.Url))!;
        Assert.Equal((0, 0, 0L), (decliner.FailedChunks, decliner.ConsecutiveFailures, decliner.CooldownUntilMs));
        // The worker's own words stay in the log: its record says only what it answered.
        Assert.EndsWith("answered HTTP 422", decliner.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_AsksADeclinerOnlyOnce_AcrossBatches()
    {
        await using var harness = await OrchestrationHarness.StartAsync(new Dictionary<string, string?> { ["Dispatch:BatchSize"] = "2" });
        await using var english = await FakeWorker.StartAsync();
        english.Respond = EnglishOnly;
        await using var any = await FakeWorker.StartAsync(0.02);
        await harness.Workers.AddAsync(english.Url);
        await harness.Workers.AddAsync(any.Url);
        var (path, bursts) = OrchestrationHarness.Recording(dir, 300, seed: 61);

        var jobId = await harness.SubmitAsync(path, language: "japanese");

        Assert.Equal(JobStatus.Completed, (await harness.WaitAsync(jobId)).Status);
        var document = (await harness.Jobs.GetDocumentAsync(jobId))!;
        Assert.True(document.Summary.TotalChunks >= 4, $"expected several batches, got {document.Summary.TotalChunks} chunks");
        Assert.Equal(1, english.Requests);
        Assert.Equal(bursts.Count, (await harness.TranscriptAsync(jobId))!.Segments.Count);
    }

    [Fact]
    public async Task RunAsync_FailsWithASentence_WhenEveryWorkerDeclinesTheLanguage()
    {
        await using var harness = await OrchestrationHarness.StartAsync();
        await using var a = await FakeWorker.StartAsync();
        await using var b = await FakeWorker.StartAsync();
        foreach (var w in new[] { a, b })
        {
            w.Respond = EnglishOnly;
            await harness.Workers.AddAsync(w.Url);
        }

        var (path, _) = OrchestrationHarness.Recording(dir, 20, seed: 59);
        var jobId = await harness.SubmitAsync(path, language: "pt_BR");
        var outcome = await harness.WaitAsync(jobId);

        Assert.Equal(JobStatus.Failed, outcome.Status);
        Assert.Equal(1, (await harness.Jobs.GetDocumentAsync(jobId))!.Summary.TotalChunks);
        Assert.Contains("Every online worker (2) declined this job's language 'pt'", outcome.Error, StringComparison.Ordinal);
        Assert.Equal((1, 1), (a.Requests, b.Requests));
        foreach (var w in new[] { a, b })
        {
            Assert.Equal(0, (await harness.Workers.GetAsync(w.Url))!.ConsecutiveFailures);
        }
    }

    [Fact]
    public async Task RunAsync_OffersChunksOnlyToWorkersThatDeclaredTheLanguage_AndFailsBeforeCutting_WhenNoneDid()
    {
        await using var harness = await OrchestrationHarness.StartAsync();
        await using var english = await FakeWorker.StartAsync();
        await using var any = await FakeWorker.StartAsync();
        await harness.Workers.RegisterAsync(new WorkerRegistration(english.Url, "sphinx", "en-us", Languages: ["english"]));
        await harness.Workers.RegisterAsync(new WorkerRegistration(any.Url, "whisper", "base"));
        var (path, bursts) = OrchestrationHarness.Recording(dir, 60, seed: 67);

        var served = await harness.SubmitAsync(path, language: "ja");
        Assert.Equal(JobStatus.Completed, (await harness.WaitAsync(served)).Status);
        Assert.Equal(0, english.Requests);
        Assert.True(any.Requests > 0);
        Assert.Equal(bursts.Count, (await harness.TranscriptAsync(served))!.Segments.Count);

        await harness.Workers.RemoveAsync(any.Url);
        var unserved = await harness.SubmitAsync(path, language: "ja");
        var outcome = await harness.WaitAsync(unserved);

        Assert.Equal(JobStatus.Failed, outcome.Status);
        Assert.Contains("declined this job's language 'ja'", outcome.Error, StringComparison.Ordinal);
        Assert.Equal(0, english.Requests);
        // Version 2 of the orchestration checks the fleet first: the recording was never purified or cut.
        Assert.Equal(0, (await harness.Jobs.GetDocumentAsync(unserved))!.Summary.TotalChunks);
        Assert.Null(await harness.Services.GetRequiredService<RecordingStore>().TryLoadJsonAsync<ChunkManifest>(ChunkManifest.BlobName(unserved), CancellationToken.None));
    }

    private static IResult EnglishOnly(FakeRequest request) =>
        request.Language is null or "en"
            ? Results.Json(new { text = "hello", segments = new[] { new { start_ms = 0.0, end_ms = request.SentMs, text = "hello" } } })
            : Results.Text($"The PocketSphinx engine recognizes English only; '{request.Language}' was asked for.", "text/plain", statusCode: StatusCodes.Status422UnprocessableEntity);

    /// <summary>
    /// Whisper's habits on one chunk: the last segment runs to its 30 s window (past the audio), segments overlap,
    /// empty and whitespace segments, a zero-length segment past the end, a repeated last line, out of order.
    /// </summary>
    private static IResult WhisperLike(FakeRequest request)
    {
        var runs = request.Runs;
        var segments = new List<object>
        {
            new { start_ms = request.SentMs + 1000, end_ms = request.SentMs + 1000, text = "tail" },
            new { start_ms = 0.0, end_ms = 0.0, text = string.Empty },
        };
        for (var i = 0; i < runs.Count; i++)
        {
            var end = i == runs.Count - 1 ? Math.Max(30_000, request.SentMs + 2500)
                : i % 2 == 0 ? runs[i + 1].StartMs + 300
                : runs[i].EndMs;
            segments.Add(new { start_ms = runs[i].StartMs, end_ms = end, text = $" w{i}" });
            if (i == runs.Count / 2)
            {
                segments.Add(new { start_ms = runs[i].EndMs, end_ms = runs[i].EndMs, text = "   " });
            }
        }

        segments.Add(new { start_ms = runs[^1].StartMs, end_ms = runs[^1].EndMs, text = $" w{runs.Count - 1}" });
        return Results.Json(new { text = string.Join(' ', Enumerable.Range(0, runs.Count).Select(i => $"w{i}")), time_ms = 10, segments });
    }

    /// <summary>
    /// Stdout of <c>pocketsphinx_continuous -time yes</c> (Debian's 0.8) for the runs of sound, one utterance and one
    /// word per run, with its clock running fast so the last word ends <paramref name="overrunMs"/> past the audio.
    /// </summary>
    private static string RawPocketSphinx(FakeRequest request, double overrunMs)
    {
        var stretch = (request.SentMs + overrunMs) / request.Runs[^1].EndMs;
        string S(double ms) => (Math.Max(0, ms) / 1000).ToString("0.000", CultureInfo.InvariantCulture);
        var raw = new StringBuilder();
        for (var i = 0; i < request.Runs.Count; i++)
        {
            var (start, end) = (request.Runs[i].StartMs * stretch, request.Runs[i].EndMs * stretch);
            raw.Append(CultureInfo.InvariantCulture, $"w{i}\n")
                .Append(CultureInfo.InvariantCulture, $"<s> {S(start - 100)} {S(start - 10)} 1.000100\n")
                .Append(CultureInfo.InvariantCulture, $"w{i}{(i % 3 == 0 ? "(2)" : string.Empty)} {S(start)} {S(end)} 0.040613\n")
                .Append(CultureInfo.InvariantCulture, $"<sil> {S(end + 10)} {S(end + 50)} 0.423925\n")
                .Append(CultureInfo.InvariantCulture, $"</s> {S(end + 60)} {S(end + 300)} 1.000000\n");
        }

        return raw.ToString();
    }

    /// <summary>Each run's word appears once per chunk, in order; with exact starts, at its burst's time.</summary>
    private static void AssertEveryWord(Transcript transcript, IReadOnlyList<Burst> bursts, bool startsExact)
    {
        var words = transcript.Segments.Where(s => s.Text.StartsWith('w')).DistinctBy(s => (s.ChunkIndex, s.Text)).ToList();
        Assert.Equal(bursts.Count, words.Count);
        Assert.All(transcript.Segments, s => Assert.True(s.StartMs <= s.EndMs && s.EndMs <= transcript.DurationMs, $"{s.StartMs}-{s.EndMs} of {transcript.DurationMs}"));
        if (startsExact)
        {
            for (var i = 0; i < bursts.Count; i++)
            {
                Assert.InRange(words[i].StartMs, bursts[i].StartMs - 50, bursts[i].StartMs + 50);
            }
        }
    }
}
