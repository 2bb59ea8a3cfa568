using System.ComponentModel;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Orchard.Cli.Master;
using Orchard.Cli.Progress;
using Orchard.Cli.Uploads;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Orchard.Cli.Commands;

public sealed class SubmitSettings : MasterSettings
{
    [CommandArgument(0, "<FILE>")]
    [Description("The recording (any format ffmpeg reads).")]
    public string File { get; init; } = string.Empty;

    [CommandOption("--language <CODE>")]
    [Description("The spoken language, e.g. en, ja, pt-BR, or auto.")]
    public string? Language { get; init; }

    [CommandOption("--no-purify")]
    [Description("Skip the purifier (default: the master's stored preference).")]
    public bool NoPurify { get; init; }

    [CommandOption("--wait")]
    [Description("Follow the job until it ends, then write its transcript.")]
    public bool Wait { get; init; }

    [CommandOption("--format <FORMAT>")]
    [Description("Transcript format with --wait: txt, srt, vtt or json.")]
    [DefaultValue("txt")]
    public string Format { get; init; } = "txt";

    [CommandOption("-o|--output <PATH>")]
    [Description("Write the transcript to this file instead of the console (with --wait).")]
    public string? Output { get; init; }

    public override ValidationResult Validate()
    {
        if (Output is not null && !Wait)
        {
            return ValidationResult.Error("--output needs --wait: the transcript exists once the job has ended.");
        }

        return TranscriptFormat.Validate(Format);
    }
}

/// <summary>
/// <c>orchard submit FILE</c>: sends a recording (in the request body, or through <c>/uploads</c> in resumable blocks
/// when large) and, with <c>--wait</c>, follows the job and writes its transcript. A job that fails or is cancelled
/// still writes what was transcribed (gaps marked) and exits 1.
/// </summary>
public sealed class SubmitCommand(IAnsiConsole console, CliEnvironment environment) : MasterCommand<SubmitSettings>(console, environment)
{
    // A long wait should survive a master restarting or a network blip; this many failed polls in a row end it.
    private const int PollFailuresAllowed = 10;

    protected override async Task<int> RunAsync(MasterClient master, SubmitSettings settings, CancellationToken cancellationToken)
    {
        var file = new FileInfo(settings.File);
        if (!file.Exists)
        {
            throw new CliException($"No such file: {settings.File}");
        }

        var (jobId, last) = await ProgressView.RunAsync(Console, async view =>
        {
            var accepted = file.Length > Environment.UploadThreshold
                ? await SubmitUploadAsync(master, file, settings, view, cancellationToken)
                : await SubmitBodyAsync(master, file, settings, view, cancellationToken);
            var id = (string?)accepted["job_id"] ?? throw new CliException("The master accepted the recording but named no job_id; is it an Orchard master?");
            Console.MarkupLine($"Job [bold]{Markup.Escape(id)}[/] accepted");
            if ((string?)accepted["status_url"] is { } statusUrl)
            {
                Console.MarkupLine($"  {Markup.Escape(statusUrl)}");
            }

            return (id, settings.Wait ? await FollowAsync(master, id, view, cancellationToken) : null);
        });

        if (last is null)
        {
            return 0;
        }

        if (last.Status == "completed")
        {
            await WriteTranscriptAsync(master, jobId, settings.Format, settings.Output, cancellationToken);
            return 0;
        }

        Errors.MarkupLine($"[red]Job {Markup.Escape(jobId)} {Markup.Escape(last.Status)}: {Markup.Escape(last.Error ?? "no reason given")}[/]");
        try
        {
            // A failed or cancelled job keeps what was transcribed, each gap marked.
            await WriteTranscriptAsync(master, jobId, settings.Format, settings.Output, cancellationToken);
        }
        catch (MasterRefusedException ex) when (ex.Status == 409)
        {
            // It ended before its recording was split: nothing was transcribed.
        }

        return Failed;
    }

    private static string Query(SubmitSettings settings)
    {
        var query = new List<string>();
        if (!string.IsNullOrWhiteSpace(settings.Language))
        {
            query.Add("language=" + Uri.EscapeDataString(settings.Language.Trim()));
        }

        if (settings.NoPurify)
        {
            query.Add("purify=false");
        }

        return query.Count == 0 ? "jobs" : "jobs?" + string.Join('&', query);
    }

    private static async Task<JsonObject> SubmitBodyAsync(MasterClient master, FileInfo file, SubmitSettings settings, ProgressView view, CancellationToken cancellationToken)
    {
        await using var stream = new ProgressStream(file.OpenRead(), done => view.Upload(file.Name, done, file.Length));
        using var content = new MultipartFormDataContent();
        var part = new StreamContent(stream, 81920);
        part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Add(part, "file", file.Name);
        view.Upload(file.Name, 0, file.Length);
        // The body takes as long as the link needs; the master answers as soon as it has probed and stored it.
        return await master.SendJsonAsync(HttpMethod.Post, Query(settings), content, cancellationToken, Timeout.InfiniteTimeSpan);
    }

    private async Task<JsonObject> SubmitUploadAsync(MasterClient master, FileInfo file, SubmitSettings settings, ProgressView view, CancellationToken cancellationToken)
    {
        var states = new UploadStateStore(Environment.StateDirectory);
        var upload = await new BlockUpload(master, states, Environment).UploadAsync(file, (done, total) => view.Upload(file.Name, done, total), cancellationToken);
        var body = new JsonObject { ["blob"] = upload.Blob, ["filename"] = file.Name };
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        try
        {
            var accepted = await master.SendJsonAsync(HttpMethod.Post, Query(settings), content, cancellationToken);
            states.Delete(upload.Master, upload.File);
            return accepted;
        }
        catch (MasterRefusedException)
        {
            // The master has dealt with the blob (refused recordings are deleted): a new run uploads afresh.
            states.Delete(upload.Master, upload.File);
            throw;
        }
    }

    private async Task<JobSnapshot> FollowAsync(MasterClient master, string jobId, ProgressView view, CancellationToken cancellationToken)
    {
        var failures = 0;
        while (true)
        {
            try
            {
                var snapshot = JobSnapshot.From(await master.GetJsonAsync($"jobs/{Segment(jobId)}", cancellationToken), Environment.Time.GetUtcNow());
                failures = 0;
                view.Job(snapshot);
                if (snapshot.IsFinished)
                {
                    return snapshot;
                }
            }
            catch (CliException ex) when (ex is not MasterRefusedException { Status: < 500 } && ++failures < PollFailuresAllowed)
            {
                // The master restarting, a network blip: the job goes on without us; ask again. A 4xx is an answer.
            }

            await Task.Delay(Environment.PollInterval, Environment.Time, cancellationToken);
        }
    }
}
