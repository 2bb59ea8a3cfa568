using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orchard.Domain.Application;
using Orchard.Domain.Dispatch;
using Orchard.Domain.Jobs;
using Orchard.Domain.Json;
using Orchard.Domain.Storage;
using Orchard.Domain.Transcripts;
using Orchard.Domain.Workers;
using Orchard.Tests.Audio;
using Orchard.Tests.Infrastructure;

namespace Orchard.Tests.Dispatch;

public sealed class JobPreparationTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task PrepareAsync_OffersTheFirstChunkBeforeTheRecordingIsCut_OnALongRecording()
    {
        using var logs = new CapturingLoggerFactory();
        await using var host = await ApiHost.StartAsync(services: s => s.AddSingleton<ILoggerProvider>(logs));
        var jobId = await SubmitAsync(host, Talk(600));

        var prepared = await host.Services.GetRequiredService<JobPreparation>().PrepareAsync(jobId, purify: false, language: null, trustedOnly: false, CancellationToken.None);

        // More chunks than are stored at once: the pipeline cannot have finished before the first was offered.
        Assert.True(prepared.TotalChunks > 20, $"expected many chunks, got {prepared.TotalChunks}");
        var lines = logs.Lines.ToList();
        var offered = lines.FindIndex(l => l.StartsWith("Offered the first chunk", StringComparison.Ordinal) && l.Contains(jobId, StringComparison.Ordinal));
        var cut = lines.FindIndex(l => l.StartsWith("Prepared ", StringComparison.Ordinal) && l.Contains(jobId, StringComparison.Ordinal));
        Assert.True(offered >= 0 && cut >= 0, string.Join('\n', lines));
        Assert.True(offered < cut, $"the first chunk was offered (line {offered}) after the whole recording was cut (line {cut})");

        // Every chunk has its facts (the manifest's), its record and, for speech, its audio and a place in the queue.
        var progress = host.Services.GetRequiredService<JobProgress>();
        var manifest = await progress.ManifestAsync(jobId, CancellationToken.None);
        Assert.Equal(Json(manifest.Chunks), Json(await progress.StoredChunksAsync(jobId, CancellationToken.None)));
        var document = (await host.Jobs.GetDocumentAsync(jobId))!;
        Assert.Equal(JobStatus.Processing, document.Summary.Status);
        Assert.Equal(manifest.Chunks.Select(c => (c.Index, c.IsSilent ? ChunkStatus.Silent : ChunkStatus.Pending)), document.Chunks.OrderBy(c => c.Index).Select(c => (c.Index, c.Status)));
        var speech = manifest.Chunks.Where(c => !c.IsSilent).Select(c => c.Index).ToArray();
        Assert.Equal(speech, prepared.SpeechChunks.Select(c => c.Index));
        Assert.All(await host.Services.GetRequiredService<ILeaseStore>().InspectAsync(jobId, speech), s => Assert.True(s.Ready, $"chunk {s.Index} is not ready"));
        Assert.Equal(speech.Length, (await host.BlobNamesAsync($"jobs/{jobId}/chunks/")).Count);
    }

    [Fact]
    public async Task PrepareAsync_KeepsTheChunksStoredAndStoresTheRest_WhenRunAgainAfterAnInterruptedCut()
    {
        await using var host = await ApiHost.StartAsync();
        var jobId = await SubmitAsync(host, Talk(240));
        var preparation = host.Services.GetRequiredService<JobPreparation>();
        var progress = host.Services.GetRequiredService<JobProgress>();
        var recordings = host.Services.GetRequiredService<RecordingStore>();
        var first = await preparation.PrepareAsync(jobId, purify: false, language: null, trustedOnly: false, CancellationToken.None);
        var manifest = await progress.ManifestAsync(jobId, CancellationToken.None);
        Assert.True(manifest.Chunks.Count >= 8, $"expected several chunks, got {manifest.Chunks.Count}");

        // Interrupted half-way: no manifest, the second half of the chunks never stored; chunk 0 already answered.
        await recordings.DeleteBlobAsync(ChunkManifest.BlobName(jobId), CancellationToken.None);
        var lost = manifest.Chunks.Skip(manifest.Chunks.Count / 2).Select(c => c.Index).ToArray();
        foreach (var index in lost)
        {
            await recordings.DeleteBlobAsync(RecordingStore.ChunkFactsBlob(jobId, index), CancellationToken.None);
            await recordings.DeleteBlobAsync(RecordingStore.ChunkBlob(jobId, index), CancellationToken.None);
        }

        await progress.SetChunkAsync(jobId, c => c with { Status = ChunkStatus.Completed, WorkerId = "w1" }, 0, CancellationToken.None);
        var kept = host.Container.GetBlobClient(RecordingStore.ChunkBlob(jobId, 1));
        var keptTag = (await kept.GetPropertiesAsync()).Value.ETag;

        var again = await preparation.PrepareAsync(jobId, purify: false, language: null, trustedOnly: false, CancellationToken.None);

        Assert.Equal(Json(first), Json(again));
        Assert.Equal(Json(manifest), Json(await recordings.LoadJsonAsync<ChunkManifest>(ChunkManifest.BlobName(jobId), CancellationToken.None)));
        Assert.Equal(keptTag, (await kept.GetPropertiesAsync()).Value.ETag);
        foreach (var index in lost.Where(i => !manifest.Chunks[i].IsSilent))
        {
            Assert.True(await recordings.ExistsAsync(RecordingStore.ChunkBlob(jobId, index), CancellationToken.None), $"chunk {index} was not stored again");
        }

        var document = (await host.Jobs.GetDocumentAsync(jobId))!;
        Assert.Equal(ChunkStatus.Completed, document.Chunks.Single(c => c.Index == 0).Status);
        Assert.Equal(manifest.Chunks.Count, document.Chunks.Count);
    }

    [Fact]
    public async Task PrepareAsync_FailsNamingTheChunk_WhenARunAgainCutsAStoredChunkDifferently()
    {
        await using var host = await ApiHost.StartAsync();
        var jobId = await SubmitAsync(host, Talk(120));
        var preparation = host.Services.GetRequiredService<JobPreparation>();
        var recordings = host.Services.GetRequiredService<RecordingStore>();
        await preparation.PrepareAsync(jobId, purify: false, language: null, trustedOnly: false, CancellationToken.None);
        await recordings.DeleteBlobAsync(ChunkManifest.BlobName(jobId), CancellationToken.None);
        var facts = (await recordings.LoadJsonAsync<ManifestChunk>(RecordingStore.ChunkFactsBlob(jobId, 1), CancellationToken.None))!;
        await recordings.SaveJsonAsync(RecordingStore.ChunkFactsBlob(jobId, 1), facts with { EndMs = facts.EndMs - 320 }, CancellationToken.None);

        var error = await Assert.ThrowsAsync<RecutMismatchException>(() => preparation.PrepareAsync(jobId, purify: false, language: null, trustedOnly: false, CancellationToken.None));

        Assert.Equal(1, error.Index);
        Assert.Contains("submit the recording again", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Speech-like bursts all the way through, so every chunk has speech.</summary>
    private string Talk(double seconds)
    {
        var random = new Random(4);
        var signal = new TestSignalBuilder(seconds, 4).AddBurstSequence(0.7, Enumerable.Range(0, (int)seconds).Select(_ =>
            (1.2 + (random.NextDouble() * 2), random.NextDouble() < 0.3 ? 1.5 + (random.NextDouble() * 2.5) : 0.4 + (random.NextDouble() * 0.8))));
        var path = dir.File($"talk-{seconds}.wav");
        TestSignalBuilder.WriteWav(path, signal.Build());
        return path;
    }

    private static async Task<string> SubmitAsync(ApiHost host, string path)
    {
        await using var file = File.OpenRead(path);
        var job = await host.Services.GetRequiredService<JobSubmission>().SubmitAsync(file, "talk.wav", purify: false, language: null, CancellationToken.None);
        return job.JobId;
    }

    private static string Json<T>(T value) => OrchardJson.Serialize(value);
}
