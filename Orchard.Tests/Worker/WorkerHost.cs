using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Orchard.Worker;
using Orchard.Worker.Engines;

namespace Orchard.Tests.Worker;

/// <summary>The real worker application in push mode on a real Kestrel at 127.0.0.1:0, optionally with a scripted engine.</summary>
public sealed class WorkerHost : IAsyncDisposable
{
    private WorkerHost(WebApplication app, string url)
    {
        App = app;
        Url = url;
        // A whole-file PocketSphinx run on a busy 2-core machine can take well over a minute.
        Http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(240) };
    }

    public WebApplication App { get; }

    public string Url { get; }

    public HttpClient Http { get; }

    public static async Task<WorkerHost> StartAsync(ITranscriptionEngine? engine = null, params string[] settings)
    {
        string[] args = ["--Worker:Urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning", .. settings];
        var app = (WebApplication)WorkerApp.Build(args, services =>
        {
            if (engine is not null)
            {
                services.AddSingleton(engine);
            }
        });
        await app.StartAsync();
        return new WorkerHost(app, app.Urls.First());
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await App.StopAsync(timeout.Token);
        await App.DisposeAsync();
    }
}
