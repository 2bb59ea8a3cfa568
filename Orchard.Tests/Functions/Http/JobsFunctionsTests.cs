using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Orchard.Domain.Application;
using Orchard.Domain.Dispatch;
using Orchard.Domain.Hosting;
using Orchard.Domain.Jobs;
using Orchard.Domain.State;
using Orchard.Domain.Storage;
using Orchard.Domain.Transcripts;
using Orchard.Functions.Functions.Http;
using Orchard.Tests.Transcripts;
using Orchard.Tests.Audio;
using Orchard.Tests.Functions.Orchestration;
using Orchard.Tests.Infrastructure;

namespace Orchard.Tests.Functions.Http;

public sealed class JobsFunctionsTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task SubmitJob_Answers202WithAbsoluteStatusUrl_WhenMultipartHasAudio()
    {
        await using var host = await ApiHost.StartAsync();
        var audio = Wav(seed: 1);

        var (status, _, json) = ApiHost.Read(await host.Function<JobsFunctions>().SubmitJob(host.MultipartRequest(audio, "lecture.wav"), host.Durable));

        Assert.Equal(202, status);
        Assert.Equal("accepted", (string?)json!["status"]);
        var jobId = (string)json["job_id"]!;
        Assert.Equal($"http://orchard.test:7071/jobs/{jobId}", (string?)json["status_url"]);
        Assert.Equal("lecture.wav", (await host.Jobs.GetAsync(jobId))!.Filename);
    }

    [Fact]
    public async Task SubmitJob_Answers503AndFailsTheJob_WhenTheOrchestrationCannotBeScheduled()
    {
        await using var host = await ApiHost.StartAsync();
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var closedPort = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress($"http://127.0.0.1:{closedPort}");
        await using var unreachable = new Microsoft.DurableTask.Client.Grpc.GrpcDurableTaskClient(
            "unreachable", new Microsoft.DurableTask.Client.Grpc.GrpcDurableTaskClientOptions { Channel = channel }, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

        var (status, text, _) = ApiHost.Read(await host.Function<JobsFunctions>().SubmitJob(host.MultipartRequest(Wav(seed: 1), "lecture.wav"), unreachable));

        // Nothing is left behind as a job that looks created but never runs.
        Assert.Equal(503, status);
        Assert.Contains("Submit the recording again", text, StringComparison.Ordinal);
        var job = Assert.Single((await host.Jobs.ListAsync(new JobQuery())).Jobs);
        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.Contains("could not be started", job.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmitJob_Answers400_WhenNoFileOrEmptyBody()
    {
        await using var host = await ApiHost.StartAsync();
        var jobs = host.Function<JobsFunctions>();

        var noFile = ApiHost.Read(await jobs.SubmitJob(host.MultipartRequest(null, "x.wav"), host.Durable));
        var otherField = ApiHost.Read(await jobs.Submit(host.MultipartRequest(Wav(seed: 1), "x.wav", field: "audio"), host.Durable));
        var emptyFile = ApiHost.Read(await jobs.Submit(host.MultipartRequest([], "x.wav"), host.Durable));
        var emptyBody = ApiHost.Read(await jobs.SubmitJob(host.Request("POST", "filename=x.wav", contentType: "audio/wav"), host.Durable));

        Assert.All(new[] { noFile, otherField, emptyFile, emptyBody }, r =>
        {
            Assert.Equal(400, r.Status);
            Assert.Contains("file", (string)r.Json!["error"]!, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task SubmitJob_Answers415_WhenUploadIsNotAudio()
    {
        await using var host = await ApiHost.StartAsync();

        var (status, _, json) = ApiHost.Read(await host.Function<JobsFunctions>().SubmitJob(
            host.MultipartRequest(Encoding.UTF8.GetBytes("%PDF-1.7 this is a document, not a recording"), "notes.pdf"), host.Durable));

        Assert.Equal(415, status);
        Assert.Contains("not an audio file", (string)json!["error"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmitJob_Answers413_WhenUploadIsOverTheSizeLimit()
    {
        await using var host = await ApiHost.StartAsync(new Dictionary<string, string?> { ["Storage:MaxUploadBytes"] = "4096" });

        var (status, _, json) = ApiHost.Read(await host.Function<JobsFunctions>().SubmitJob(
            host.Request("POST", "filename=big.wav", body: Wav(seed: 1), contentType: "audio/wav"), host.Durable));

        Assert.Equal(413, status);
        Assert.Contains("Storage:MaxUploadBytes", (string)json!["error"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmitJob_Answers503NamingTheTool_WhenFfprobeIsNotInstalled()
    {
        await using var host = await ApiHost.StartAsync(new Dictionary<string, string?> { ["Audio:FfprobePath"] = "/opt/missing/ffprobe" });
        using var body = new ByteArrayContent(Wav(seed: 1));

        using var answer = await host.Client.PostAsync(new Uri("jobs?filename=talk.wav", UriKind.Relative), body);

        var error = await answer.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.StatusCode);
        Assert.Contains("ffprobe is not installed", error, StringComparison.Ordinal);
        Assert.DoesNotContain("/opt/missing", error, StringComparison.Ordinal);
        Assert.Equal(0, (await host.Jobs.GetStatsAsync()).Total);
    }

    [Fact]
    public async Task SubmitJob_Answers413PointingToUploads_WhenContentLengthIsOverTheFunctionsHostLimit()
    {
        await using var host = await ApiHost.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("jobs?filename=big.wav", UriKind.Relative))
        {
            Content = new StreamContent(new FillerStream(FunctionsHostLimits.MaxRequestBodyBytes + 1)),
        };
        request.Content.Headers.ContentLength = FunctionsHostLimits.MaxRequestBodyBytes + 1;
        // The answer comes before any byte of the body is sent, as from the Functions host.
        request.Headers.ExpectContinue = true;

        using var answer = await host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, answer.StatusCode);
        Assert.Contains("POST /uploads", await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmitJob_Answers413PointingToUploads_WhenAChunkedBodyPassesTheFunctionsHostLimit()
    {
        await using var host = await ApiHost.StartAsync();
        // No Content-Length: the limit holds as the body streams. Just past it, so the server can drain the rest.
        using var content = new StreamContent(new FillerStream(FunctionsHostLimits.MaxRequestBodyBytes + 4096));
        content.Headers.ContentType = new MediaTypeHeaderValue("audio/wav");

        using var answer = await host.Client.PostAsync(new Uri("jobs?filename=big.wav", UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, answer.StatusCode);
        Assert.Contains("POST /uploads", await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, (await host.Jobs.GetStatsAsync()).Total);
    }

    /// <summary>A body of the given length that costs no memory, without a known length (sent chunked).</summary>
    sealed class FillerStream(long length) : Stream
    {
        long position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - position);
            Array.Clear(buffer, offset, n);
            position += n;
            return n;
        }

        public override void Flush() { }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Fact]
    public async Task SubmitJob_Answers413FromItsOwnLimit_WhenBodyIsOverKestrelsDefaultToo()
    {
        await using var host = await ApiHost.StartAsync(new Dictionary<string, string?> { ["Storage:MaxUploadBytes"] = "1000" });
        using var body = new ByteArrayContent(new byte[31 * 1024 * 1024]);
        using var form = new MultipartFormDataContent { { new ByteArrayContent(new byte[31 * 1024 * 1024]), "file", "big.wav" } };

        using var raw = await host.Client.PostAsync(new Uri("jobs?filename=big.wav", UriKind.Relative), body);
        using var multipart = await host.Client.PostAsync(new Uri("submit", UriKind.Relative), form);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, raw.StatusCode);
        Assert.Contains("Storage:MaxUploadBytes", await raw.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, multipart.StatusCode);
    }

    [Theory]
    [InlineData("language")]
    [InlineData("callback_url")]
    public async Task SubmitJob_Answers413NamingTheField_WhenAFormFieldBeforeTheFileIsHuge(string field)
    {
        await using var host = await ApiHost.StartAsync();
        using var form = new MultipartFormDataContent
        {
            { new StringContent(new string('x', 8 * 1024 * 1024)), field },
            { new ByteArrayContent(Wav(seed: 3)), "file", "talk.wav" },
        };

        using var answer = await host.Client.PostAsync(new Uri("jobs", UriKind.Relative), form);
        var (status, json) = await ApiHost.ReadAsync(answer);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Contains($"The form field '{field}' is longer than 4 KB", (string)json!["error"]!, StringComparison.Ordinal);
        Assert.Empty((await host.Jobs.ListAsync(new JobQuery())).Jobs);
    }

    [Fact]
    public async Task SubmitJob_Answers400_WhenMultipartBodyIsBroken()
    {
        await using var host = await ApiHost.StartAsync();
        using var broken = new StringContent("--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\n\r\nRIFF", Encoding.UTF8);
        broken.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("multipart/form-data; boundary=x");

        using var response = await host.Client.PostAsync(new Uri("jobs", UriKind.Relative), broken);
        var (status, json) = await ApiHost.ReadAsync(response);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("multipart", (string)json!["error"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmitJob_Answers400_WhenJsonIsMalformedOrOptionsInvalid()
    {
        await using var host = await ApiHost.StartAsync();
        var jobs = host.Function<JobsFunctions>();

        var malformed = ApiHost.Read(await jobs.SubmitJob(host.Request("POST", json: "{\"blob\": "), host.Durable));
        var noBlob = ApiHost.Read(await jobs.SubmitJob(host.Request("POST", json: "{\"filename\": \"a.wav\"}"), host.Durable));
        var purify = ApiHost.Read(await jobs.SubmitJob(SetQueryOn(host.MultipartRequest(Wav(seed: 1), "a.wav"), "purify=maybe"), host.Durable));
        var language = ApiHost.Read(await jobs.SubmitJob(SetQueryOn(host.MultipartRequest(Wav(seed: 1), "a.wav"), "language=%3Cscript%3E"), host.Durable));

        Assert.Equal((400, "not valid JSON"), (malformed.Status, Fragment((string)malformed.Json!["error"]!, "not valid JSON")));
        Assert.Equal((400, "blob"), (noBlob.Status, Fragment((string)noBlob.Json!["error"]!, "blob")));
        Assert.Equal((400, "purify"), (purify.Status, Fragment((string)purify.Json!["error"]!, "purify")));
        Assert.Equal((400, "language"), (language.Status, Fragment((string)language.Json!["error"]!, "language")));
    }

    [Fact]
    public async Task SubmitJob_AcceptsThenFailsTheJobWithTheDecodeError_WhenAudioOnlyBreaksInTheFullDecode()
    {
        await using var host = await ApiHost.StartAsync();
        using var form = new MultipartFormDataContent { { new ByteArrayContent(Mp3HeaderWithGarbage()), "file", "broken.wav" } };

        using var submitted = await host.Client.PostAsync(new Uri("jobs?purify=false", UriKind.Relative), form);
        var job = await host.PollUntilFinishedAsync((string)(await ApiHost.ReadAsync(submitted)).Json!["job_id"]!);

        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        Assert.Equal("failed", (string?)job["status"]);
        Assert.Contains("decod", (string?)job["error"], StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(" at Orchard", (string?)job["error"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(349_000_001u, (ushort)1, "349,000,001 Hz")]
    [InlineData(1u, (ushort)1, "1 Hz")]
    [InlineData(16_000u, (ushort)65_535, "65,535 channels")]
    public async Task SubmitJob_Answers422BeforeAcceptingAJob_WhenWavHeaderIsOutsideTheDecodeBounds(uint rate, ushort channels, string stated)
    {
        await using var host = await ApiHost.StartAsync();
        var wav = TestSignalBuilder.HostileWav(rate, channels);

        var (status, _, json) = ApiHost.Read(await host.Function<JobsFunctions>().SubmitJob(host.MultipartRequest(wav, "tiny.wav"), host.Durable));

        Assert.Equal(60, wav.Length);
        Assert.Equal(422, status);
        var error = (string)json!["error"]!;
        Assert.Contains(stated, error, StringComparison.Ordinal);
        Assert.Contains("ffmpeg -i input", error, StringComparison.Ordinal);
        Assert.Empty((await host.Jobs.ListAsync(new JobQuery())).Jobs);
    }

    [Fact]
    public async Task SubmitJob_Answers422BeforeAcceptingAJob_WhenFlacLastsLongerThanMaxRecordingDuration()
    {
        await using var host = await ApiHost.StartAsync(new Dictionary<string, string?> { ["Storage:MaxRecordingDuration"] = "00:00:05" });
        var flac = dir.File("long.flac");
        TestSignalBuilder.Ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=8", "-ar", "16000", "-ac", "1", flac);

        var (status, _, json) = ApiHost.Read(await host.Function<JobsFunctions>().SubmitJob(host.MultipartRequest(File.ReadAllBytes(flac), "long.flac"), host.Durable));

        Assert.Equal(422, status);
        var error = (string)json!["error"]!;
        Assert.Contains("lasts 8", error, StringComparison.Ordinal);
        Assert.Contains("Storage:MaxRecordingDuration", error, StringComparison.Ordinal);
        Assert.Empty((await host.Jobs.ListAsync(new JobQuery())).Jobs);
    }

    [Fact]
    public async Task SubmitJob_AcceptsThenFailsTheJobAtTheDecodeCap_WhenHeaderUnderstatesTheDuration()
    {
        await using var host = await ApiHost.StartAsync(new Dictionary<string, string?> { ["Storage:MaxRecordingDuration"] = "00:00:05" });
        var wav = dir.File("understated.wav");
        TestSignalBuilder.WavUnderstatingItsDuration(wav, seconds: 20);
        using var form = new MultipartFormDataContent { { new ByteArrayContent(File.ReadAllBytes(wav)), "file", "understated.wav" } };

        using var submitted = await host.Client.PostAsync(new Uri("jobs?purify=false", UriKind.Relative), form);
        var job = await host.PollUntilFinishedAsync((string)(await ApiHost.ReadAsync(submitted)).Json!["job_id"]!);

        // Its header states 0.2 s, so the probe lets it through; the decoder stops at the cap and fails the job.
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        Assert.Equal("failed", (string?)job["status"]);
        Assert.Contains("decodes to more than 5 s (Storage:MaxRecordingDuration)", (string?)job["error"], StringComparison.Ordinal);
        Assert.DoesNotContain(" at Orchard", (string?)job["error"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmitJob_TakesPurifyAndLanguage_FromQueryOrStoredPreference()
    {
        await using var host = await ApiHost.StartAsync();
        var jobs = host.Function<JobsFunctions>();
        await host.Services.GetRequiredService<IPreferenceStore>().SetUsePurifierAsync(false);

        var byDefault = await SubmitAsync(host, jobs.SubmitJob(host.MultipartRequest(Wav(seed: 1), "a.wav"), host.Durable));
        var explicitly = await SubmitAsync(host, jobs.SubmitJob(SetQueryOn(host.MultipartRequest(Wav(seed: 1), "a.wav"), "purify=true&language=ja"), host.Durable));

        Assert.False(byDefault.Purify);
        Assert.Null(byDefault.Language);
        Assert.True(explicitly.Purify);
        Assert.Equal("ja", explicitly.Language);
    }

    [Fact]
    public async Task SubmitJob_NormalizesTheLanguage_AndAnswers400ForOneNoWorkerKnows()
    {
        await using var host = await ApiHost.StartAsync();
        var jobs = host.Function<JobsFunctions>();

        var english = await SubmitAsync(host, jobs.SubmitJob(SetQueryOn(host.MultipartRequest(Wav(seed: 1), "a.wav"), "language=english"), host.Durable));
        var brazil = await SubmitAsync(host, jobs.SubmitJob(SetQueryOn(host.MultipartRequest(Wav(seed: 1), "a.wav"), "language=pt_BR"), host.Durable));
        var unknown = ApiHost.Read(await jobs.SubmitJob(SetQueryOn(host.MultipartRequest(Wav(seed: 1), "a.wav"), "language=klingon"), host.Durable));

        Assert.Equal(("en", "pt"), (english.Language, brazil.Language));
        Assert.Equal(400, unknown.Status);
        Assert.Contains("'klingon' is not one the workers know", (string)unknown.Json!["error"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmitJob_KeepsEachUploadsAudio_WhenTwoUploadsShareAFileName()
    {
        await using var host = await ApiHost.StartAsync();
        var jobs = host.Function<JobsFunctions>();
        var first = Wav(seed: 1);
        var second = Wav(seed: 2);

        var a = await SubmitAsync(host, jobs.SubmitJob(host.MultipartRequest(first, "meeting.wav"), host.Durable));
        var b = await SubmitAsync(host, jobs.Submit(host.MultipartRequest(second, "meeting.wav"), host.Durable));

        Assert.NotEqual(a.JobId, b.JobId);
        Assert.Equal(first, (await host.Container.GetBlobClient(RecordingStore.SourceBlob(a.JobId)).DownloadContentAsync()).Value.Content.ToArray());
        Assert.Equal(second, (await host.Container.GetBlobClient(RecordingStore.SourceBlob(b.JobId)).DownloadContentAsync()).Value.Content.ToArray());
    }

    [Theory]
    [InlineData("../x.wav", "x.wav")]
    [InlineData("..\\..\\windows\\evil.wav", "evil.wav")]
    [InlineData("a\u0000b\r\n\u001b[31mc.wav", "ab[31mc.wav")]
    [InlineData("講義 第1回 über.wav", "講義 第1回 über.wav")]
    [InlineData("..", "recording")]
    public async Task SubmitJob_StoresAnyFileNameSafely_WhenNameIsHostileOrNonAscii(string filename, string shown)
    {
        await using var host = await ApiHost.StartAsync();

        var job = await SubmitAsync(host, host.Function<JobsFunctions>().SubmitJob(host.MultipartRequest(Wav(seed: 1), filename), host.Durable));

        Assert.Equal(shown, job.Filename);
        Assert.True(await host.Container.GetBlobClient(RecordingStore.SourceBlob(job.JobId)).ExistsAsync());
    }

    [Fact]
    public async Task SubmitJob_AcceptsAThousandCharacterName_OverHttp()
    {
        await using var host = await ApiHost.StartAsync();
        using var form = new MultipartFormDataContent();
        var name = new string('é', 996) + ".wav";
        form.Add(new ByteArrayContent(Wav(seed: 1)), "file", name);

        using var response = await host.Client.PostAsync(new Uri("jobs", UriKind.Relative), form);
        var (status, json) = await ApiHost.ReadAsync(response);

        Assert.Equal(HttpStatusCode.Accepted, status);
        var stored = (await host.Jobs.GetAsync((string)json!["job_id"]!))!.Filename;
        Assert.Equal(255, stored.Length);
        Assert.All(stored, c => Assert.Equal('é', c));
    }

    [Fact]
    public async Task GetJob_Answers404WithError_WhenJobIsUnknown()
    {
        await using var host = await ApiHost.StartAsync();
        var jobs = host.Function<JobsFunctions>();

        var unknown = ApiHost.Read(await jobs.GetJob(host.Request(), Guid.NewGuid().ToString()));
        var hostile = ApiHost.Read(await jobs.GetJob(host.Request(), "../../etc/passwd"));
        using var overHttp = await host.Client.GetAsync(new Uri($"jobs/{Guid.NewGuid()}", UriKind.Relative));

        Assert.Equal((404, "Job not found"), (unknown.Status, (string?)unknown.Json!["error"]));
        Assert.Equal((404, "Job not found"), (hostile.Status, (string?)hostile.Json!["error"]));
        Assert.Equal(HttpStatusCode.NotFound, overHttp.StatusCode);
    }

    [Fact]
    public async Task ListJobs_PagesNewestFirst_WithStatusFilterAndSummaryView()
    {
        await using var host = await ApiHost.StartAsync();
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await CreateJobAsync(host, DateTimeOffset.UtcNow.AddMinutes(i)));
        }

        await host.Services.GetRequiredService<JobProgress>().SetStatusAsync(ids[0], new JobTransition(JobStatus.Failed, "broken"), default);
        var jobs = host.Function<JobsFunctions>();

        var first = ApiHost.Read(await jobs.ListJobs(host.Request(query: "limit=2"))).Json!;
        var second = ApiHost.Read(await jobs.ListJobs(host.Request(query: $"limit=2&cursor={first["next_cursor"]}"))).Json!;
        var failed = ApiHost.Read(await jobs.ListJobs(host.Request(query: "status=failed"))).Json!;
        var summaries = ApiHost.Read(await jobs.ListJobs(host.Request(query: "view=summary"))).Json!;

        Assert.Equal([ids[2], ids[1]], first["jobs"]!.AsArray().Select(j => (string)j!["job_id"]!));
        Assert.Equal(2, (int)first["count"]!);
        Assert.Equal([ids[0]], second["jobs"]!.AsArray().Select(j => (string)j!["job_id"]!));
        Assert.Null(second["next_cursor"]);
        Assert.Equal([ids[0]], failed["jobs"]!.AsArray().Select(j => (string)j!["job_id"]!));
        Assert.NotNull(first["jobs"]![0]!["chunks"]);
        Assert.Equal(3, (int)summaries["count"]!);
        Assert.All(summaries["jobs"]!.AsArray(), j => Assert.Null(j!["chunks"]));
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=abc", "limit")]
    [InlineData("status=done", "status")]
    [InlineData("view=everything", "view")]
    [InlineData("cursor=not-a-cursor", "cursor")]
    public async Task ListJobs_Answers400_WhenAQueryValueIsInvalid(string query, string named)
    {
        await using var host = await ApiHost.StartAsync();

        var (status, _, json) = ApiHost.Read(await host.Function<JobsFunctions>().ListJobs(host.Request(query: query)));

        Assert.Equal(400, status);
        Assert.Contains(named, (string)json!["error"]!, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task GetTranscript_Answers409Or400Or404_WhenJobUnfinishedFormatUnknownOrJobUnknown()
    {
        await using var host = await ApiHost.StartAsync();
        var jobId = await CreateJobAsync(host, DateTimeOffset.UtcNow);
        var jobs = host.Function<JobsFunctions>();

        var unfinished = ApiHost.Read(await jobs.GetTranscript(host.Request(query: "format=srt"), jobId));
        var format = ApiHost.Read(await jobs.GetTranscript(host.Request(query: "format=docx"), jobId));
        var unknown = ApiHost.Read(await jobs.GetTranscript(host.Request(), Guid.NewGuid().ToString()));

        Assert.Equal(409, unfinished.Status);
        Assert.Contains("created", (string)unfinished.Json!["error"]!, StringComparison.Ordinal);
        Assert.Equal(400, format.Status);
        Assert.Contains("srt", (string)format.Json!["error"]!, StringComparison.Ordinal);
        Assert.Equal(404, unknown.Status);
    }

    [Fact]
    public async Task DeleteJob_DeletesFinishedJobWithItsBlobs()
    {
        await using var host = await ApiHost.StartAsync();
        // Stored as POST /jobs stores it, but with no orchestration whose steps could still be writing.
        var job = await host.Services.GetRequiredService<JobSubmission>().SubmitAsync(new MemoryStream(Wav(seed: 1)), "a.wav", false, null, default);
        await host.Services.GetRequiredService<JobProgress>().SetStatusAsync(job.JobId, new JobTransition(JobStatus.Failed, "test"), default);
        var before = await host.BlobNamesAsync($"jobs/{job.JobId}/");

        var (status, _, json) = ApiHost.Read(await host.Function<JobsFunctions>().DeleteJob(host.Request("DELETE"), job.JobId, host.Durable));

        Assert.Contains(RecordingStore.FinishedBlob(job.JobId), before);
        Assert.Equal(200, status);
        Assert.Equal("deleted", (string?)json!["status"]);
        Assert.Null(await host.Jobs.GetAsync(job.JobId));
        Assert.Empty(await host.BlobNamesAsync($"jobs/{job.JobId}/"));
        Assert.Equal(404, ApiHost.Read(await host.Function<JobsFunctions>().GetJob(host.Request(), job.JobId)).Status);
        Assert.Equal(404, ApiHost.Read(await host.Function<JobsFunctions>().DeleteJob(host.Request("DELETE"), job.JobId, host.Durable)).Status);
    }

    [Fact]
    public async Task DeleteJob_CancelsRunningJob_AndTheWorkerIsReleasedWhenItAnswers()
    {
        await using var host = await ApiHost.StartAsync();
        await using var slow = await FakeWorker.StartAsync(speedRatio: 0.25);
        await host.Workers.AddAsync(slow.Url);
        using var form = new MultipartFormDataContent { { new ByteArrayContent(Wav(seed: 3, seconds: 40)), "file", "long.wav" } };
        using var submitted = await host.Client.PostAsync(new Uri("jobs?purify=false", UriKind.Relative), form);
        var jobId = (string)(await ApiHost.ReadAsync(submitted)).Json!["job_id"]!;
        await Poll.UntilAsync(async () => (await host.Jobs.GetDocumentAsync(jobId))?.Chunks.Any(c => c.Status == ChunkStatus.Processing) == true);

        using var deleted = await host.Client.DeleteAsync(new Uri($"jobs/{jobId}", UriKind.Relative));
        var job = await host.PollUntilFinishedAsync(jobId);
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var instance = await host.Durable.WaitForInstanceCompletionAsync(jobId, wait.Token);
        await Poll.UntilAsync(async () => (await host.Workers.GetAsync(slow.Url))?.Claim is null);

        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal("cancelled", (string?)(await deleted.Content.ReadFromJsonAsync<System.Text.Json.Nodes.JsonObject>())!["status"]);
        Assert.Equal("cancelled", (string?)job["status"]);
        Assert.Equal(OrchestrationRuntimeStatus.Terminated, instance.RuntimeStatus);
        Assert.True(slow.Answered >= 1);
        Assert.Equal(Domain.Workers.WorkerStatus.Online, (await host.Workers.GetAsync(slow.Url))!.Status);
        // The late answer was discarded: nothing of the cancelled job was recorded as transcribed.
        Assert.DoesNotContain((await host.Jobs.GetDocumentAsync(jobId))!.Chunks, c => c.Status == ChunkStatus.Completed);
    }

    [Fact]
    public async Task GetTranscript_AnswersThePartialTranscriptMarkingTheGap_InEveryFormat_WhenAChunkFailedOnEveryWorker()
    {
        await using var host = await ApiHost.StartAsync(new Dictionary<string, string?> { ["Dispatch:MaxAttempts"] = "2" });
        await using var a = await FakeWorker.StartAsync(0.01);
        await using var b = await FakeWorker.StartAsync(0.02);
        a.FailsOn = OrchestrationHarness.IsLoud;
        b.FailsOn = OrchestrationHarness.IsLoud;
        await host.Workers.AddAsync(a.Url);
        await host.Workers.AddAsync(b.Url);
        var (path, _, _) = OrchestrationHarness.RecordingWithLoudBurst(dir, 80, 40, seed: 41);
        using var form = new MultipartFormDataContent { { new ByteArrayContent(File.ReadAllBytes(path)), "file", "talk.wav" } };
        using var submitted = await host.Client.PostAsync(new Uri("jobs?purify=false", UriKind.Relative), form);
        var jobId = (string)(await ApiHost.ReadAsync(submitted)).Json!["job_id"]!;

        var job = await host.PollUntilFinishedAsync(jobId);
        var json = System.Text.Json.Nodes.JsonNode.Parse(await host.Client.GetStringAsync(new Uri($"jobs/{jobId}/transcript?format=json", UriKind.Relative)))!;
        var txt = await host.Client.GetStringAsync(new Uri($"jobs/{jobId}/transcript?format=txt", UriKind.Relative));
        var srt = SubtitleParser.ParseSrt(await host.Client.GetStringAsync(new Uri($"jobs/{jobId}/transcript?format=srt", UriKind.Relative)));
        var vtt = SubtitleParser.ParseVtt(await host.Client.GetStringAsync(new Uri($"jobs/{jobId}/transcript?format=vtt", UriKind.Relative)));

        Assert.Equal("failed", (string?)job["status"]);
        Assert.True((bool)json["partial"]!);
        var gap = Assert.Single(json["gaps"]!.AsArray())!;
        var (index, startMs, endMs) = ((int)gap["chunk_index"]!, (long)gap["start_ms"]!, (long)gap["end_ms"]!);
        Assert.Equal(TimeFormat.Clock(startMs), (string?)gap["start"]);
        Assert.Equal(TimeFormat.Clock(endMs), (string?)gap["end"]);
        Assert.StartsWith("failed 2 times; last: ", (string?)gap["reason"], StringComparison.Ordinal);
        var range = TimeFormat.Range(startMs, endMs);
        Assert.Contains($"Chunk {index} ({range}) could not be transcribed: failed 2 times", (string?)job["error"], StringComparison.Ordinal);
        var record = job["chunks"]![index]!;
        Assert.Equal("failed", (string?)record["status"]);
        Assert.Equal(startMs, (long)Math.Round((double)record["start_ms"]!));
        Assert.Equal(endMs, (long)Math.Round((double)record["end_ms"]!));
        Assert.Equal(json.ToJsonString(), job["result"]!.ToJsonString());

        // The other chunks' words are all there, with the gap marked in its place in every format.
        var segments = json["segments"]!.AsArray().Select(x => (StartMs: (long)x!["start_ms"]!, Text: (string)x["text"]!)).Where(x => x.Text.Length > 0).ToArray();
        Assert.True(segments.Length > 0);
        Assert.DoesNotContain(segments, x => x.StartMs >= startMs && x.StartMs < endMs);
        var before = segments.Count(x => x.StartMs < startMs);
        var marker = $"[untranscribed {range}]";
        var lines = txt.TrimEnd('\n').Split('\n');
        Assert.Equal(segments.Length + 1, lines.Length);
        Assert.Equal(marker, lines[before]);
        foreach (var cues in new[] { srt, vtt })
        {
            Assert.Equal(segments.Length + 1, cues.Count);
            Assert.Equal(new Cue(TimeSpan.FromMilliseconds(startMs), TimeSpan.FromMilliseconds(endMs), marker), cues[before]);
            Assert.Equal(segments.Select(x => x.Text), cues.Where((_, i) => i != before).Select(c => c.Text));
            Assert.Equal(cues.Select(c => c.Start).Order(), cues.Select(c => c.Start));
        }
    }

    [Fact]
    public async Task DeleteJob_KeepsWhatWasTranscribed_WhenARunningJobIsCancelled()
    {
        await using var host = await ApiHost.StartAsync();
        await using var slow = await FakeWorker.StartAsync(speedRatio: 0.1);
        await host.Workers.AddAsync(slow.Url);
        using var form = new MultipartFormDataContent { { new ByteArrayContent(Wav(seed: 43, seconds: 80)), "file", "long.wav" } };
        using var submitted = await host.Client.PostAsync(new Uri("jobs?purify=false", UriKind.Relative), form);
        var jobId = (string)(await ApiHost.ReadAsync(submitted)).Json!["job_id"]!;
        await Poll.UntilAsync(async () => (await host.Jobs.GetDocumentAsync(jobId))?.Chunks.Any(c => c.Status == ChunkStatus.Completed) == true);

        using var deleted = await host.Client.DeleteAsync(new Uri($"jobs/{jobId}", UriKind.Relative));
        var job = await host.PollUntilFinishedAsync(jobId);
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await host.Durable.WaitForInstanceCompletionAsync(jobId, wait.Token);
        var stored = await host.BlobNamesAsync($"jobs/{jobId}/");
        var json = System.Text.Json.Nodes.JsonNode.Parse(await host.Client.GetStringAsync(new Uri($"jobs/{jobId}/transcript", UriKind.Relative)))!;
        var txt = await host.Client.GetStringAsync(new Uri($"jobs/{jobId}/transcript?format=txt", UriKind.Relative));
        var chunks = (await host.Jobs.GetDocumentAsync(jobId))!.Chunks;

        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal("cancelled", (string?)job["status"]);
        Assert.Contains(TranscriptAssembler.BlobName(jobId), stored);
        Assert.True((bool)json["partial"]!);
        var transcribed = chunks.Where(c => c.Status == ChunkStatus.Completed).Select(c => c.Index).ToHashSet();
        var untranscribed = chunks.Where(c => c.Status is not (ChunkStatus.Completed or ChunkStatus.Silent)).Select(c => c.Index).ToArray();
        Assert.NotEmpty(transcribed);
        Assert.NotEmpty(untranscribed);
        var gaps = json["gaps"]!.AsArray();
        Assert.Equal(untranscribed, gaps.Select(g => (int)g!["chunk_index"]!));
        Assert.All(gaps, g => Assert.Equal(TranscriptBuilder.CancelledReason, (string?)g!["reason"]));
        var segments = json["segments"]!.AsArray();
        Assert.NotEmpty(segments);
        Assert.All(segments, x => Assert.Contains((int)x!["chunk_index"]!, transcribed));
        Assert.Equal(untranscribed.Length, txt.Split('\n').Count(l => l.StartsWith("[untranscribed ", StringComparison.Ordinal)));
        Assert.Equal(json.ToJsonString(), job["result"]!.ToJsonString());
    }

    internal static async Task<string> CreateJobAsync(ApiHost host, DateTimeOffset createdAt)
    {
        var job = new JobSummary { JobId = Guid.CreateVersion7(createdAt).ToString("D"), Filename = "made.wav", CreatedAt = createdAt, UpdatedAt = createdAt };
        await host.Services.GetRequiredService<JobProgress>().CreateAsync(job, default);
        return job.JobId;
    }

    private static async Task<JobSummary> SubmitAsync(ApiHost host, Task<Microsoft.AspNetCore.Mvc.IActionResult> call)
    {
        var (status, text, json) = ApiHost.Read(await call);
        Assert.True(status == 202, text);
        return (await host.Jobs.GetAsync((string)json!["job_id"]!))!;
    }

    private static Microsoft.AspNetCore.Http.HttpRequest SetQueryOn(Microsoft.AspNetCore.Http.HttpRequest request, string query)
    {
        request.QueryString = new Microsoft.AspNetCore.Http.QueryString("?" + query);
        return request;
    }

    private static string Fragment(string text, string fragment) => text.Contains(fragment, StringComparison.Ordinal) ? fragment : text;

    /// <summary>A WAV whose header promises MP3 audio (so the probe accepts it) and whose data is noise no decoder reads.</summary>
    private static byte[] Mp3HeaderWithGarbage()
    {
        var data = new byte[65536];
        new Random(5).NextBytes(data);
        using var output = new MemoryStream();
        using var writer = new BinaryWriter(output);
        writer.Write("RIFF"u8);
        writer.Write(4 + 8 + 16 + 8 + data.Length);
        writer.Write("WAVEfmt "u8);
        writer.Write(16);
        writer.Write((short)0x55);
        writer.Write((short)1);
        writer.Write(16000);
        writer.Write(2000);
        writer.Write((short)1);
        writer.Write((short)0);
        writer.Write("data"u8);
        writer.Write(data.Length);
        writer.Write(data);
        writer.Flush();
        return output.ToArray();
    }

    private byte[] Wav(int seed, double seconds = 12) => File.ReadAllBytes(OrchestrationHarness.Recording(dir, seconds, seed).Path);
}
