using Orchard.Domain.Dispatch;
using Orchard.Domain.Storage;

namespace Orchard.Domain.Transcripts;

/// <summary>Reads a job's manifest and chunk results, assembles the transcript and stores it as a blob.</summary>
public sealed class TranscriptBuilder(RecordingStore recordings, JobProgress progress)
{
    /// <summary>Builds and stores the transcript; returns its segment count.</summary>
    public async Task<int> BuildAsync(string jobId, CancellationToken cancellationToken)
    {
        var manifest = await progress.ManifestAsync(jobId, cancellationToken);
        var results = new Dictionary<int, ChunkResult>();
        foreach (var chunk in manifest.Chunks.Where(c => !c.IsSilent))
        {
            if (await recordings.TryLoadJsonAsync<ChunkResult>(RecordingStore.ResultBlob(jobId, chunk.Index), cancellationToken) is { } result)
            {
                results[chunk.Index] = result;
            }
        }

        var transcript = TranscriptAssembler.Assemble(manifest, results);
        await recordings.SaveJsonAsync(TranscriptAssembler.BlobName(jobId), transcript, cancellationToken);
        return transcript.SegmentsCount;
    }
}
