using System.Globalization;
using Spectre.Console;

namespace Orchard.Cli.Progress;

/// <summary>
/// Shows a submission's progress: upload bytes, then chunks and audio seconds with an ETA. On a terminal a live
/// display redrawn in place; anywhere else (a pipe, a log, CI) a line only when something a reader cares about
/// changed: a quarter of the upload, the job's status, a chunk done.
/// </summary>
public abstract class ProgressView
{
    public static Task<T> RunAsync<T>(IAnsiConsole console, Func<ProgressView, Task<T>> body)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(body);
        if (!console.Profile.Capabilities.Interactive)
        {
            return body(new Lines(console));
        }

        return console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn())
            .StartAsync(context => body(new Live(context)));
    }

    /// <summary><paramref name="done"/> of <paramref name="total"/> bytes of <paramref name="name"/> are uploaded.</summary>
    public abstract void Upload(string name, long done, long total);

    public abstract void Job(JobSnapshot snapshot);

    public static string Size(long bytes) => bytes switch
    {
        >= 1024L * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024 * 1024):0.0} GB"),
        >= 1024L * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.0} MB"),
        >= 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KB"),
        _ => $"{bytes} B",
    };

    private sealed class Live(ProgressContext context) : ProgressView
    {
        private ProgressTask? upload;
        private ProgressTask? job;

        public override void Upload(string name, long done, long total)
        {
            upload ??= context.AddTask("Uploading", maxValue: Math.Max(1, total));
            upload.Value = done;
            upload.Description = Markup.Escape($"Uploading {name}: {Size(done)} of {Size(total)}");
        }

        public override void Job(JobSnapshot snapshot)
        {
            job ??= context.AddTask("Waiting", maxValue: 1);
            job.IsIndeterminate = snapshot.TotalSeconds <= 0;
            job.MaxValue = Math.Max(1, snapshot.TotalSeconds);
            job.Value = snapshot.IsFinished && snapshot.Status == "completed" ? job.MaxValue : snapshot.DoneSeconds;
            job.Description = Markup.Escape(snapshot.Describe());
            if (snapshot.IsFinished)
            {
                job.StopTask();
            }
        }
    }

    private sealed class Lines(IAnsiConsole console) : ProgressView
    {
        private int uploadQuarter = -1;
        private string? lastJob;

        public override void Upload(string name, long done, long total)
        {
            var quarter = total == 0 ? 4 : (int)(done * 4 / total);
            if (quarter == uploadQuarter)
            {
                return;
            }

            uploadQuarter = quarter;
            console.WriteLine($"Uploading {name}: {Size(done)} of {Size(total)} ({(total == 0 ? 100 : done * 100 / total)}%)");
        }

        public override void Job(JobSnapshot snapshot)
        {
            // The ETA moves on every poll: a new line only when the job itself moved.
            var key = $"{snapshot.Status}/{snapshot.DoneChunks}/{snapshot.TotalChunks}";
            if (key == lastJob)
            {
                return;
            }

            lastJob = key;
            console.WriteLine(snapshot.Describe());
        }
    }
}
