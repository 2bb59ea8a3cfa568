using Orchard.Cli.Commands;
using Spectre.Console.Cli;

namespace Orchard.Cli;

/// <summary>The commands of <c>orchard</c>, for the program and for tests that run them in-process.</summary>
public static class OrchardApp
{
    public static void Configure(IConfigurator config, CliEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.SetApplicationName("orchard");
        config.Settings.Registrar.RegisterInstance(environment);
        config.AddCommand<SubmitCommand>("submit")
            .WithDescription("Submit a recording; with --wait, follow it and write its transcript.")
            .WithExample("submit", "lecture.mp3", "--language", "en", "--wait", "--format", "srt", "-o", "lecture.srt");
        config.AddCommand<JobsCommand>("jobs").WithDescription("List the newest jobs.");
        config.AddCommand<JobCommand>("job").WithDescription("Show a job's progress and chunks.");
        config.AddCommand<TranscriptCommand>("transcript").WithDescription("Write a job's transcript (txt, srt, vtt, json).")
            .WithExample("transcript", "<ID>", "--format", "vtt", "-o", "lecture.vtt");
        config.AddCommand<CancelCommand>("cancel").WithDescription("Cancel a running job (keeping what was transcribed), or delete a finished one.");
        config.AddCommand<WorkersCommand>("workers").WithDescription("List the workers.");
    }
}
