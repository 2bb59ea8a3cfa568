using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.DependencyInjection;
using Orchard.Domain.Storage;
using Orchard.Functions.Functions.Http;
using Orchard.Tests.Audio;
using Orchard.Tests.Functions.Orchestration;
using Orchard.Tests.Infrastructure;

namespace Orchard.Tests.Functions.Http;

public sealed class UploadsFunctionsTests : IDisposable
{
    private static readonly BlobClientOptions AzuriteClient = new(BlobClientOptions.ServiceVersion.V2025_11_05);
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task CreateUpload_AnswersWriteOnlyUrl_WhoseBlockUploadBecomesAJob()
    {
        await using var host = await ApiHost.StartAsync();
        var audio = File.ReadAllBytes(OrchestrationHarness.Recording(dir, 12, seed: 21).Path);

        using var created = await host.Client.PostAsync(new Uri("uploads", UriKind.Relative), content: null);
        var slot = (await ApiHost.ReadAsync(created)).Json!;
        var url = new Uri((string)slot["upload_url"]!);
        await UploadInBlocksAsync(url, audio, blockSize: 64 * 1024);
        var read = await Assert.ThrowsAsync<RequestFailedException>(() => new BlobClient(url, AzuriteClient).DownloadContentAsync());
        using var submitted = await host.Client.PostAsJsonAsync(new Uri("jobs?language=en", UriKind.Relative), new { blob = (string)slot["blob"]!, filename = "huge lecture.wav" });
        var accepted = (await ApiHost.ReadAsync(submitted)).Json!;
        var jobId = (string)accepted["job_id"]!;

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(2L * 1024 * 1024 * 1024, (long)slot["max_bytes"]!);
        Assert.True(DateTimeOffset.Parse((string)slot["expires_at"]!, System.Globalization.CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow);
        Assert.Equal(403, read.Status);
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        Assert.Equal("huge lecture.wav", (await host.Jobs.GetAsync(jobId))!.Filename);
        Assert.Equal("en", (await host.Jobs.GetAsync(jobId))!.Language);
        Assert.Equal(audio, (await host.Container.GetBlobClient(RecordingStore.SourceBlob(jobId)).DownloadContentAsync()).Value.Content.ToArray());
        Assert.Empty(await host.BlobNamesAsync("uploads/"));
    }

    [Fact]
    public async Task SubmitJob_Answers413_WhenTheUploadedBlobIsOverTheLimit()
    {
        await using var host = await ApiHost.StartAsync(new Dictionary<string, string?> { ["Storage:MaxUploadBytes"] = "1000" });
        var slot = ApiHost.Read(await host.Function<UploadsFunctions>().CreateUpload(host.Request("POST"))).Json!;
        await UploadInBlocksAsync(new Uri((string)slot["upload_url"]!), new byte[5000], blockSize: 2000);

        var (status, _, json) = ApiHost.Read(await host.Function<JobsFunctions>().SubmitJob(
            host.Request("POST", json: $"{{\"blob\": \"{slot["blob"]}\"}}"), host.Durable));

        Assert.Equal(413, status);
        Assert.Contains("limit", (string)json!["error"]!, StringComparison.Ordinal);
        Assert.Empty(await host.BlobNamesAsync("uploads/"));
    }

    [Theory]
    [InlineData("0123456789abcdef0123456789abcdef")]
    [InlineData("../jobs/x/source")]
    public async Task SubmitJob_Answers400_WhenTheBlobWasNeverUploaded(string blob)
    {
        await using var host = await ApiHost.StartAsync();

        var (status, _, json) = ApiHost.Read(await host.Function<JobsFunctions>().SubmitJob(
            host.Request("POST", json: new JsonObject { ["blob"] = blob }.ToJsonString()), host.Durable));

        Assert.Equal(400, status);
        Assert.Contains("POST /uploads", (string)json!["error"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmitJob_Answers415_WhenTheUploadedBlobIsNotAudio()
    {
        await using var host = await ApiHost.StartAsync();
        var slot = ApiHost.Read(await host.Function<UploadsFunctions>().CreateUpload(host.Request("POST"))).Json!;
        await UploadInBlocksAsync(new Uri((string)slot["upload_url"]!), Encoding.UTF8.GetBytes("<html>not audio</html>"), blockSize: 10);

        var (status, _, _) = ApiHost.Read(await host.Function<JobsFunctions>().SubmitJob(
            host.Request("POST", json: $"{{\"blob\": \"{slot["blob"]}\"}}"), host.Durable));

        Assert.Equal(415, status);
    }

    [Fact]
    public async Task SubmitJob_ReadsOnlyTheEndsOfTheUpload_WhenItIsLargerThanTheProbeRange()
    {
        // The request's work must not grow with the recording (the host gives a response 230 s): it reads the blob's
        // first and last Storage:ProbeBytes and copies it server-side; the orchestration decodes the whole of it.
        var reads = new UploadReads();
        await using var host = await ApiHost.StartAsync(new Dictionary<string, string?> { ["Storage:ProbeBytes"] = "65536" }, services: s =>
            s.AddSingleton(sp =>
            {
                var options = StorageConnection.ClientOptions();
                options.AddPolicy(reads, HttpPipelinePosition.PerCall);
                return sp.GetRequiredService<StorageConnection>().CreateBlobServiceClient(options);
            }));
        var audio = File.ReadAllBytes(OrchestrationHarness.Recording(dir, 60, seed: 22).Path);
        var slot = ApiHost.Read(await host.Function<UploadsFunctions>().CreateUpload(host.Request("POST"))).Json!;
        await UploadInBlocksAsync(new Uri((string)slot["upload_url"]!), audio, blockSize: 256 * 1024);

        using var submitted = await host.Client.PostAsJsonAsync(new Uri("jobs", UriKind.Relative), new { blob = (string)slot["blob"]! });
        var jobId = (string)(await ApiHost.ReadAsync(submitted)).Json!["job_id"]!;

        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        Assert.True(audio.Length > 10 * 65536, $"the recording ({audio.Length} bytes) must be much larger than what is probed");
        Assert.InRange(reads.Bytes, 1, 2 * 65536);
        Assert.Equal(audio, (await host.Container.GetBlobClient(RecordingStore.SourceBlob(jobId)).DownloadContentAsync()).Value.Content.ToArray());
        Assert.Empty(await host.BlobNamesAsync("uploads/"));
    }

    [Fact]
    public async Task SubmitJob_AcceptsThenFailsTheJobWithTheDecodeError_WhenTheUploadIsCorruptBetweenItsEnds()
    {
        await using var host = await ApiHost.StartAsync(new Dictionary<string, string?> { ["Storage:ProbeBytes"] = "65536" });
        var flac = dir.File("corrupt.flac");
        TestSignalBuilder.Ffmpeg("-i", OrchestrationHarness.Recording(dir, 60, seed: 23).Path, flac);
        var bytes = File.ReadAllBytes(flac);
        new Random(5).NextBytes(bytes.AsSpan(bytes.Length / 2, 3000));
        var slot = ApiHost.Read(await host.Function<UploadsFunctions>().CreateUpload(host.Request("POST"))).Json!;
        await UploadInBlocksAsync(new Uri((string)slot["upload_url"]!), bytes, blockSize: 256 * 1024);

        using var submitted = await host.Client.PostAsJsonAsync(new Uri("jobs?purify=false", UriKind.Relative), new { blob = (string)slot["blob"]!, filename = "corrupt.flac" });
        var job = await host.PollUntilFinishedAsync((string)(await ApiHost.ReadAsync(submitted)).Json!["job_id"]!);

        Assert.True(bytes.Length / 2 > 65536 && bytes.Length / 2 < bytes.Length - 65536 - 3000, "the damage must lie between the probed ends");
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        Assert.Equal("failed", (string?)job["status"]);
        Assert.Contains("the flac file is truncated or corrupt", (string?)job["error"], StringComparison.Ordinal);
        Assert.DoesNotContain(" at Orchard", (string?)job["error"], StringComparison.Ordinal);
    }

    /// <summary>Counts the bytes the app's blob client is sent from upload blobs (Content-Length of each answer to a read).</summary>
    private sealed class UploadReads : HttpPipelineSynchronousPolicy
    {
        private long bytes;

        public long Bytes => Interlocked.Read(ref bytes);

        public override void OnReceivedResponse(HttpMessage message)
        {
            if (message.Request.Method == RequestMethod.Get && message.Request.Uri.Path.Contains("/uploads/", StringComparison.Ordinal)
                && message.Response.Headers.ContentLength is { } length)
            {
                Interlocked.Add(ref bytes, length);
            }
        }
    }

    /// <summary>A resumable upload as a client does it: blocks first, then the list that commits them.</summary>
    private static async Task UploadInBlocksAsync(Uri url, byte[] content, int blockSize)
    {
        var blob = new BlockBlobClient(url, AzuriteClient);
        var ids = new List<string>();
        for (var offset = 0; offset < content.Length; offset += blockSize)
        {
            var id = Convert.ToBase64String(BitConverter.GetBytes(offset));
            using var block = new MemoryStream(content, offset, Math.Min(blockSize, content.Length - offset));
            await blob.StageBlockAsync(id, block);
            ids.Add(id);
        }

        await blob.CommitBlockListAsync(ids);
    }
}
