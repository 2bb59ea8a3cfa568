using Orchard.Cli.Master;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Orchard.Cli.Commands;

/// <summary>
/// A command that talks to a master. A failure the user can act on prints one sentence (the master's own when it
/// refused) and exits 1; Ctrl+C exits 130. Nothing else is caught: a bug should show as one.
/// </summary>
public abstract class MasterCommand<TSettings>(IAnsiConsole console, CliEnvironment environment) : AsyncCommand<TSettings>
    where TSettings : MasterSettings
{
    public const int Failed = 1;
    public const int Interrupted = 130;

    protected IAnsiConsole Console { get; } = console;

    protected CliEnvironment Environment { get; } = environment;

    protected IAnsiConsole Errors => Environment.ErrorConsole ?? Console;

    public override async Task<int> ExecuteAsync(CommandContext context, TSettings settings, CancellationToken cancellationToken)
    {
        try
        {
            using var master = MasterClient.Create(settings, Environment);
            return await RunAsync(master, settings, cancellationToken);
        }
        catch (CliException ex)
        {
            Errors.MarkupLine($"[red]{Markup.Escape(ex.Message)}[/]");
            return Failed;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Errors.MarkupLine("[yellow]Interrupted.[/]");
            return Interrupted;
        }
    }

    protected abstract Task<int> RunAsync(MasterClient master, TSettings settings, CancellationToken cancellationToken);

    /// <summary>Text as it is (a transcript, JSON): not wrapped at the console's width, no markup.</summary>
    protected void WriteRaw(string text)
    {
        Console.Profile.Out.Writer.Write(text);
        if (!text.EndsWith('\n'))
        {
            Console.Profile.Out.Writer.WriteLine();
        }

        Console.Profile.Out.Writer.Flush();
    }

    /// <summary>Fetches a job's transcript and writes it to <paramref name="output"/>, or to the console when null.</summary>
    protected async Task WriteTranscriptAsync(MasterClient master, string jobId, string format, string? output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(master);
        var text = await master.GetTextAsync($"jobs/{Segment(jobId)}/transcript?format={format}", cancellationToken);
        if (output is null)
        {
            WriteRaw(text);
            return;
        }

        try
        {
            await File.WriteAllTextAsync(output, text, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"Could not write {output}: {ex.Message}", ex);
        }

        Errors.MarkupLine($"Transcript ({format}) written to [bold]{Markup.Escape(output)}[/]");
    }

    /// <summary>A path segment: job and worker ids may be URLs.</summary>
    protected static string Segment(string id) => Uri.EscapeDataString(id);
}
