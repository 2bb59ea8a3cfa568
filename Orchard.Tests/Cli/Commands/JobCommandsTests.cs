using Orchard.Tests.Functions.Orchestration;

namespace Orchard.Tests.Cli.Commands;

/// <summary>The commands that read and remove jobs and list workers, against a master with one finished job.</summary>
public sealed class JobCommandsTests
{
    [Fact]
    public async Task JobsJobTranscriptWorkersCancel_ShowAFinishedJob_ThenDeleteIt()
    {
        await using var cli = await CliHarness.StartAsync();
        var (recording, _) = OrchestrationHarness.Recording(cli.Dir, 24, seed: 51);
        var submitted = await cli.RunAsync(cli.Environment(), "submit", recording, "--wait");
        var jobId = (await cli.Host.PollUntilFinishedAsync(submitted.Output.Split("Job ")[1].Split(' ')[0]))["job_id"]!.ToString();
        // The master from the environment, as a shell profile would set it.
        var environment = cli.Environment(variables: new Dictionary<string, string> { ["ORCHARD_MASTER"] = cli.Master });

        var jobs = await CliHarness.RunAsync(environment, null, "jobs");
        var job = await CliHarness.RunAsync(environment, null, "job", jobId);
        var vtt = await CliHarness.RunAsync(environment, null, "transcript", jobId, "--format", "vtt");
        var served = await cli.Host.Client.GetStringAsync(new Uri($"jobs/{jobId}/transcript?format=vtt", UriKind.Relative));
        var workers = await CliHarness.RunAsync(environment, null, "workers");
        var cancel = await CliHarness.RunAsync(environment, null, "cancel", jobId);
        var gone = await CliHarness.RunAsync(environment, null, "job", jobId);

        Assert.True(submitted.ExitCode == 0, submitted.Output);
        Assert.Equal(0, jobs.ExitCode);
        Assert.Contains(jobId, jobs.Output, StringComparison.Ordinal);
        Assert.Contains("talk-51.wav", jobs.Output, StringComparison.Ordinal);
        Assert.Equal(0, job.ExitCode);
        Assert.Matches(@"completed: (\d+) of \1 chunks, 0:24 of 0:24 of audio", job.Output);
        Assert.Equal(0, vtt.ExitCode);
        Assert.StartsWith("WEBVTT", served, StringComparison.Ordinal);
        Assert.Equal(served.TrimEnd(), vtt.Output);
        Assert.Equal(0, workers.ExitCode);
        Assert.Contains(cli.Worker.Url, workers.Output, StringComparison.Ordinal);
        Assert.Contains("online", workers.Output, StringComparison.Ordinal);
        Assert.Equal(0, cancel.ExitCode);
        Assert.Contains($"Job {jobId} deleted.", cancel.Output, StringComparison.Ordinal);
        Assert.Equal(1, gone.ExitCode);
        Assert.Contains("Job not found", gone.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Transcript_RefusesAnUnknownFormat_BeforeCallingTheMaster()
    {
        var result = await CliHarness.RunAsync(new Orchard.Cli.CliEnvironment(), null, "transcript", "abc", "--format", "docx", "--master", "http://127.0.0.1:9");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--format must be one of txt, srt, vtt, json.", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Jobs_AsksForAMaster_WhenNoneIsGiven()
    {
        var result = await CliHarness.RunAsync(new Orchard.Cli.CliEnvironment { Variable = _ => null }, null, "jobs");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Say which master to use: --master http://host:7071, or set ORCHARD_MASTER.", result.Output, StringComparison.Ordinal);
    }
}
