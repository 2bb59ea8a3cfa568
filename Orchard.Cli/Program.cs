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

var environment = new CliEnvironment
{
    ErrorConsole = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }),
};
var app = new CommandApp();
app.Configure(config => OrchardApp.Configure(config, environment));
return await app.RunAsync(args, interrupted.Token);
