using Orchard.Cli;
using Spectre.Console;
using Spectre.Console.Cli;

using var interrupted = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // The first Ctrl+C ends the command cleanly (an upload's state stays for the next run); a second one kills it.
    e.Cancel = !interrupted.IsCancellationRequested;
    interrupted.Cancel();
};

var output = Redirected(AnsiConsole.Create(new AnsiConsoleSettings()), Console.IsOutputRedirected);
var environment = new CliEnvironment
{
    ErrorConsole = Redirected(AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }), Console.IsErrorRedirected),
};
var app = new CommandApp();
app.Configure(config =>
{
    config.Settings.Console = output;
    OrchardApp.Configure(config, environment);
});
return await app.RunAsync(args, interrupted.Token);

// A file or a CI log has no width: Spectre's 80 columns would wrap ids, URLs and sentences mid-word.
static IAnsiConsole Redirected(IAnsiConsole console, bool redirected)
{
    if (redirected)
    {
        console.Profile.Width = 200;
    }

    return console;
}
