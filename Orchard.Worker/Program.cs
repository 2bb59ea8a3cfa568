using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orchard.Worker;

try
{
    // RunAsync disposes the host when it ends.
    using var app = WorkerApp.Build(args);
    await app.RunAsync();
    return 0;
}
catch (OptionsValidationException e)
{
    // A wrong setting is the operator's to fix: say which, without a stack trace.
    foreach (var failure in e.Failures)
    {
        await Console.Error.WriteLineAsync(failure);
    }

    return 2;
}
