using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Orchard.Cli.Commands;
using Orchard.Tests.Functions.Orchestration;
using Orchard.Tests.Infrastructure;
using Spectre.Console.Testing;

namespace Orchard.Tests.Cli.Commands;

public sealed class SubmitCommandTests
{
    [Fact]
    public async Task Submit_WritesTheTranscriptFile_WhenWaitingForTheJob()
    {
        await using var cli = await CliHarness.StartAsync();
        var (recording, _) = OrchestrationHarness.Recording(cli.Dir, 24, seed: 31);
        var output = cli.Dir.File("lecture.srt");
        var network = new CountingHandler();

        var result = await cli.RunAsync(cli.Environment(network), "submit", recording, "--language", "en", "--no-purify", "--wait", "--format", "srt", "-o", output);

        Assert.True(result.ExitCode == 0, result.Output);
        var jobId = (string)(await cli.Host.Client.GetFromJsonAsync<JsonObject>(new Uri("jobs", UriKind.Relative)))!["jobs"]![0]!["job_id"]!;
        var served = await cli.Host.Client.GetStringAsync(new Uri($"jobs/{jobId}/transcript?format=srt", UriKind.Relative));
        Assert.Equal(served, await File.ReadAllTextAsync(output));
        Assert.StartsWith("1\n00:00:", served, StringComparison.Ordinal);
        var job = (await cli.Host.Jobs.GetAsync(jobId))!;
        Assert.Equal("en", job.Language);
        Assert.False(job.Purify);
        Assert.Equal(1, network.Submissions);
        Assert.Equal(0, network.Uploads);
        Assert.Contains($"Job {jobId} accepted", result.Output, StringComparison.Ordinal);
        Assert.Contains($"completed: {job.TotalChunks} of {job.TotalChunks} chunks, 0:24 of 0:24 of audio", result.Output, StringComparison.Ordinal);
        Assert.Contains($"Transcript (srt) written to {output}", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_PrintsProgressLinesOnlyWhenTheyChange_WhenTheConsoleIsNotInteractive()
    {
        await using var cli = await CliHarness.StartAsync();
        var (recording, _) = OrchestrationHarness.Recording(cli.Dir, 40, seed: 32);

        var result = await cli.RunAsync(cli.Environment(), "submit", recording, "--wait");

        Assert.True(result.ExitCode == 0, result.Output);
        var lines = result.Output.Split('\n').Select(l => l.TrimEnd()).ToArray();
        var upload = lines.Where(l => l.StartsWith("Uploading talk-32.wav: ", StringComparison.Ordinal)).ToArray();
        var progress = lines.Where(l => l.Contains(" chunks, ", StringComparison.Ordinal)).ToArray();
        Assert.Equal("(100%)", upload[^1].Split(' ')[^1]);
        Assert.InRange(upload.Length, 2, 5);
        Assert.StartsWith("completed: ", progress[^1], StringComparison.Ordinal);
        // Every poll reads the job, but a line is written only when its status or chunk count moved.
        Assert.Equal(progress.Length, progress.Select(l => l.Split(", about")[0]).Distinct().Count());
        var transcript = lines.SkipWhile(l => !l.StartsWith("completed: ", StringComparison.Ordinal)).Skip(1).ToArray();
        Assert.Equal("w0", transcript[0]);
    }

    [Fact]
    public async Task Submit_DrawsALiveProgressDisplay_WhenTheConsoleIsInteractive()
    {
        await using var cli = await CliHarness.StartAsync();
        var (recording, _) = OrchestrationHarness.Recording(cli.Dir, 24, seed: 33);
        var console = new TestConsole().Width(160).Interactive().EmitAnsiSequences();

        var result = await CliHarness.RunAsync(cli.Environment(), console, "submit", recording, "--wait", "--master", cli.Master);

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("Uploading talk-33.wav", result.Output, StringComparison.Ordinal);
        Assert.Contains("completed: ", result.Output, StringComparison.Ordinal);
        Assert.Contains("100%", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_PrintsTheMastersSentenceAndExits1_WhenTheFileIsNotAudio()
    {
        await using var cli = await CliHarness.StartAsync();
        // Subtitles sent instead of their recording: a file ffmpeg reads, with no audio in it.
        var path = cli.Dir.File("lecture.vtt");
        await File.WriteAllTextAsync(path, "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nhello\n");
        using var form = new MultipartFormDataContent { { new ByteArrayContent(await File.ReadAllBytesAsync(path)), "file", "lecture.vtt" } };
        using var direct = await cli.Host.Client.PostAsync(new Uri("jobs", UriKind.Relative), form);
        var sentence = (string)(await ApiHost.ReadAsync(direct)).Json!["error"]!;

        var result = await cli.RunAsync(cli.Environment(), "submit", path, "--wait");

        Assert.Equal(415, (int)direct.StatusCode);
        Assert.Contains("no audio stream", sentence, StringComparison.Ordinal);
        Assert.Equal(MasterCommand<SubmitSettings>.Failed, result.ExitCode);
        Assert.Contains(sentence, result.Output.ReplaceLineEndings(" "), StringComparison.Ordinal);
        Assert.DoesNotContain("accepted", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_Exits1WithASentence_WhenTheFileDoesNotExist()
    {
        await using var cli = await CliHarness.StartAsync();

        var result = await cli.RunAsync(cli.Environment(), "submit", cli.Dir.File("missing.mp3"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("No such file: ", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_KeepsWhatWasTranscribedAndExits1_WhenTheJobFails()
    {
        await using var cli = await CliHarness.StartAsync(new Dictionary<string, string?> { ["Dispatch:MaxAttempts"] = "1" });
        var (recording, _, _) = OrchestrationHarness.RecordingWithLoudBurst(cli.Dir, 40, loudAt: 25, seed: 34);
        cli.Worker.FailsOn = OrchestrationHarness.IsLoud;
        var output = cli.Dir.File("partial.txt");

        var result = await cli.RunAsync(cli.Environment(), "submit", recording, "--wait", "-o", output);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(" failed: Chunk ", result.Output, StringComparison.Ordinal);
        Assert.Contains("[untranscribed ", await File.ReadAllTextAsync(output), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_SaysTheMasterIsUnreachable_AndNeverPrintsTheKey()
    {
        using var dir = new Orchard.Tests.Audio.TempDir();
        var path = dir.File("a.wav");
        await File.WriteAllBytesAsync(path, new byte[100]);
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var closed = $"http://127.0.0.1:{((System.Net.IPEndPoint)listener.LocalEndpoint).Port}";
        listener.Stop();
        var environment = new Orchard.Cli.CliEnvironment { Variable = name => name == "ORCHARD_KEY" ? "k-7d41-secret" : null, StateDirectory = dir.File("state") };

        var result = await CliHarness.RunAsync(environment, null, "submit", path, "--master", closed);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"Could not reach {closed}", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("k-7d41-secret", result.Output, StringComparison.Ordinal);
    }
}
