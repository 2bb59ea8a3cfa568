using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchard.Worker.Audio;
using Orchard.Worker.Engines;
using Orchard.Worker.Registration;
using Orchard.Worker.Transcription;

namespace Orchard.Worker;

/// <summary>Builds the worker's web application: settings, engine, routes, registration with the master.</summary>
public static class WorkerApp
{
    /// <summary>
    /// The application for <paramref name="args"/> (<c>--Worker:Engine=whisper</c>, ...). <paramref name="services"/>
    /// runs after the defaults are registered, so it can replace one (tests: a scripted engine).
    /// </summary>
    /// <exception cref="OptionsValidationException">A setting is wrong; the failures name each one.</exception>
    public static WebApplication Build(string[] args, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        var section = builder.Configuration.GetSection(WorkerOptions.Section);
        var defaults = new WorkerOptions();
        var urls = section[nameof(WorkerOptions.Urls)] ?? defaults.Urls;
        builder.WebHost.UseUrls(urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        var maxBytes = section.GetValue(nameof(WorkerOptions.MaxAudioBytes), defaults.MaxAudioBytes);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = maxBytes);

        // One line per request from ASP.NET Core would drown the worker's own lines on a small device.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

        // The registration loop logs the master's absence itself, once per attempt and without a stack trace.
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
        builder.Services.AddOptions<WorkerOptions>().Bind(section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<WorkerOptions>, WorkerOptionsValidator>();
        builder.Services.AddSingleton(EngineFactory.Create);
        builder.Services.AddSingleton<AudioNormalizer>();
        builder.Services.AddSingleton<TranscriptionService>();
        builder.Services.AddHttpClient<MasterClient>(http => http.Timeout = TimeSpan.FromSeconds(10));
        builder.Services.AddSingleton<RegistrationService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RegistrationService>());
        services?.Invoke(builder.Services);

        var app = builder.Build();

        // Check the settings now, before the host starts, so a wrong one ends the program with its message alone.
        try
        {
            _ = app.Services.GetRequiredService<IOptions<WorkerOptions>>().Value;
        }
        catch (OptionsValidationException)
        {
            ((IDisposable)app).Dispose();
            throw;
        }
        app.MapWorker();
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var engine = app.Services.GetRequiredService<ITranscriptionEngine>();
            WorkerLog.Started(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(WorkerApp)), engine.Name, engine.Model, string.Join(' ', app.Urls));
        });
        return app;
    }
}
