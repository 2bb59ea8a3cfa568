using System.ComponentModel;
using System.Globalization;
using System.Text.Json.Nodes;
using Orchard.Cli.Master;
using Orchard.Cli.Progress;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Orchard.Cli.Commands;

public sealed class JobsSettings : MasterSettings
{
    [CommandOption("--status <STATUS>")]
    [Description("Only jobs in this status (e.g. processing, completed, failed).")]
    public string? Status { get; init; }

    [CommandOption("--limit <N>")]
    [Description("At most this many jobs, newest first (1-1000).")]
    [DefaultValue(50)]
    public int Limit { get; init; } = 50;

    [CommandOption("--json")]
    [Description("The master's JSON as it is.")]
    public bool Json { get; init; }
}

public class JobIdSettings : MasterSettings
{
    [CommandArgument(0, "<ID>")]
    [Description("The job id POST /jobs answered.")]
    public string Id { get; init; } = string.Empty;
}

public sealed class JobSettings : JobIdSettings
{
    [CommandOption("--json")]
    [Description("The master's JSON as it is.")]
    public bool Json { get; init; }
}

public sealed class TranscriptSettings : JobIdSettings
{
    [CommandOption("--format <FORMAT>")]
    [Description("txt, srt, vtt or json.")]
    [DefaultValue("txt")]
    public string Format { get; init; } = "txt";

    [CommandOption("-o|--output <PATH>")]
    [Description("Write to this file instead of the console.")]
    public string? Output { get; init; }

    public override ValidationResult Validate() => TranscriptFormat.Validate(Format);
}

/// <summary><c>orchard jobs</c>: the newest jobs, one line each.</summary>
public sealed class JobsCommand(IAnsiConsole console, CliEnvironment environment) : MasterCommand<JobsSettings>(console, environment)
{
    protected override async Task<int> RunAsync(MasterClient master, JobsSettings settings, CancellationToken cancellationToken)
    {
        var query = $"jobs?view=summary&limit={settings.Limit}" + (settings.Status is { } status ? "&status=" + Uri.EscapeDataString(status) : string.Empty);
        var listing = await master.GetJsonAsync(query, cancellationToken);
        if (settings.Json)
        {
            WriteRaw(listing.ToJsonString());
            return 0;
        }

        var jobs = (listing["jobs"] as JsonArray ?? []).OfType<JsonObject>().ToArray();
        if (jobs.Length == 0)
        {
            Console.WriteLine("No jobs.");
            return 0;
        }

        var table = new Table().AddColumn(new TableColumn("job").NoWrap()).AddColumns("file", "status", "chunks", "audio", "created");
        foreach (var job in jobs)
        {
            table.AddRow(
                Markup.Escape((string?)job["job_id"] ?? string.Empty),
                Markup.Escape((string?)job["filename"] ?? string.Empty),
                Markup.Escape((string?)job["status"] ?? string.Empty),
                $"{(int?)job["completed_chunks"] ?? 0}/{(int?)job["total_chunks"] ?? 0}",
                (double?)job["duration_ms"] is { } ms ? JobSnapshot.Clock(ms / 1000) : "-",
                ((DateTimeOffset?)job["created_at"])?.ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) ?? "-");
        }

        Console.Write(table);
        return 0;
    }
}

/// <summary><c>orchard job ID</c>: a job's progress, error and chunks.</summary>
public sealed class JobCommand(IAnsiConsole console, CliEnvironment environment) : MasterCommand<JobSettings>(console, environment)
{
    protected override async Task<int> RunAsync(MasterClient master, JobSettings settings, CancellationToken cancellationToken)
    {
        var job = await master.GetJsonAsync($"jobs/{Segment(settings.Id)}", cancellationToken);
        if (settings.Json)
        {
            WriteRaw(job.ToJsonString());
            return 0;
        }

        var snapshot = JobSnapshot.From(job, Environment.Time.GetUtcNow());
        var grid = new Grid().AddColumn().AddColumn();
        grid.AddRow("job", Markup.Escape((string?)job["job_id"] ?? settings.Id));
        grid.AddRow("file", Markup.Escape((string?)job["filename"] ?? string.Empty));
        grid.AddRow("progress", Markup.Escape(snapshot.Describe()));
        if (snapshot.Error is { } error)
        {
            grid.AddRow("error", $"[red]{Markup.Escape(error)}[/]");
        }

        Console.Write(grid);
        var chunks = (job["chunks"] as JsonArray ?? []).OfType<JsonObject>().ToArray();
        if (chunks.Length > 0)
        {
            var table = new Table().AddColumns("chunk", "from", "to", "status", "worker", "attempts");
            foreach (var chunk in chunks)
            {
                table.AddRow(
                    ((int?)chunk["index"] ?? 0).ToString(CultureInfo.InvariantCulture),
                    JobSnapshot.Clock(((double?)chunk["start_ms"] ?? 0) / 1000),
                    JobSnapshot.Clock(((double?)chunk["end_ms"] ?? 0) / 1000),
                    Markup.Escape((string?)chunk["status"] ?? string.Empty),
                    Markup.Escape((string?)chunk["worker_url"] ?? (string?)chunk["worker_id"] ?? "-"),
                    ((int?)chunk["attempts"] ?? 0).ToString(CultureInfo.InvariantCulture));
            }

            Console.Write(table);
        }

        return 0;
    }
}

/// <summary><c>orchard transcript ID</c>: the transcript in a format (a failed or cancelled job's with its gaps marked).</summary>
public sealed class TranscriptCommand(IAnsiConsole console, CliEnvironment environment) : MasterCommand<TranscriptSettings>(console, environment)
{
    protected override async Task<int> RunAsync(MasterClient master, TranscriptSettings settings, CancellationToken cancellationToken)
    {
        await WriteTranscriptAsync(master, settings.Id, settings.Format, settings.Output, cancellationToken);
        return 0;
    }
}

/// <summary><c>orchard cancel ID</c>: cancels a running job (what was transcribed is kept) or deletes a finished one.</summary>
public sealed class CancelCommand(IAnsiConsole console, CliEnvironment environment) : MasterCommand<JobIdSettings>(console, environment)
{
    protected override async Task<int> RunAsync(MasterClient master, JobIdSettings settings, CancellationToken cancellationToken)
    {
        var answer = await master.SendJsonAsync(HttpMethod.Delete, $"jobs/{Segment(settings.Id)}", content: null, cancellationToken);
        Console.MarkupLine($"Job [bold]{Markup.Escape(settings.Id)}[/] {Markup.Escape((string?)answer["status"] ?? "removed")}.");
        return 0;
    }
}
