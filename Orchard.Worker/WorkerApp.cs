using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchard.Worker.Audio;
using Orchard.Worker.Core;
using Orchard.Worker.Engines;
using Orchard.Worker.Pull;
using Orchard.Worker.Registration;
using Orchard.Worker.Transcription;

namespace Orchard.Worker;

/// <summary>
/// Builds the worker: a generic host without any web server in pull mode (it calls the master and opens no port),
/// or the web application serving <c>/transcribe</c> in push mode (see <see cref="WorkerOptions.Mode"/>).
/// </summary>
public static class WorkerApp
{
    // Above the protocol's longest long poll (25 s) with room for a slow network, or every idle poll would time out.
    private static readonly TimeSpan PullHttpTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The worker for <paramref name="args"/> (<c>--Worker:Engine=whisper</c>, ...): a <see cref="WebApplication"/> in
    /// push mode, a plain host in pull mode. <paramref name="services"/> runs after the defaults are registered, so
    /// it can replace one (tests: a scripted engine).
    /// </summary>
    /// <exception cref="OptionsValidationException">A setting is wrong; the failures name each one.</exception>
    public static IHost Build(string[] args, Action<IServiceCollection>? services = null)
    {
        // The pull host's builder reads the same sources (appsettings.json, environment, command line) as the web
        // one, so the mode is decided on exactly the settings the worker will run with.
        var builder = Host.CreateApplicationBuilder(args);
        var section = builder.Configuration.GetSection(WorkerOptions.Section);
        var mode = new WorkerOptions
        {
            Mode = section[nameof(WorkerOptions.Mode)] ?? WorkerOptions.AutoMode,
            PublicUrl = section[nameof(WorkerOptions.PublicUrl)],
            MasterUrl = section[nameof(WorkerOptions.MasterUrl)],
        };
        if (!mode.IsPull)
        {
            ((IDisposable)builder.Configuration).Dispose();
            return BuildPush(args, services);
        }

        AddWorker(builder.Services, builder.Logging, section);
        builder.Services.AddHttpClient<MasterClient>(http => http.Timeout = PullHttpTimeout);
        builder.Services.AddSingleton<PullService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<PullService>());
        services?.Invoke(builder.Services);
        var host = builder.Build();
        ValidateNow(host);
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        lifetime.ApplicationStarted.Register(() =>
        {
            var engine = host.Services.GetRequiredService<ITranscriptionEngine>();
            WorkerLog.StartedPull(Logger(host.Services), engine.Name, engine.Model, mode.MasterUrl ?? string.Empty);
        });
        return host;
    }

    private static WebApplication BuildPush(string[] args, Action<IServiceCollection>? services)
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
        AddWorker(builder.Services, builder.Logging, section);
        builder.Services.AddHttpClient<MasterClient>(http => http.Timeout = TimeSpan.FromSeconds(10));
        builder.Services.AddSingleton<RegistrationService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RegistrationService>());
        services?.Invoke(builder.Services);

        var app = builder.Build();
        ValidateNow(app);
        app.MapWorker();
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var engine = app.Services.GetRequiredService<ITranscriptionEngine>();
            WorkerLog.Started(Logger(app.Services), engine.Name, engine.Model, string.Join(' ', app.Urls));
        });
        return app;
    }

    /// <summary>What both modes share: settings, engine, audio conversion and the transcription service.</summary>
    private static void AddWorker(IServiceCollection services, ILoggingBuilder logging, IConfigurationSection section)
    {
        // The master loops log the master's absence themselves, once per attempt and without a stack trace.
        logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
        services.AddOptions<WorkerOptions>().Bind(section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<WorkerOptions>, WorkerOptionsValidator>();
        services.AddSingleton(EngineFactory.Create);
        services.AddSingleton<AudioNormalizer>();
        services.AddSingleton<TranscriptionService>();
    }

    /// <summary>Checks the settings before the host starts, so a wrong one ends the program with its message alone.</summary>
    private static void ValidateNow(IHost host)
    {
        try
        {
            _ = host.Services.GetRequiredService<IOptions<WorkerOptions>>().Value;
        }
        catch (OptionsValidationException)
        {
            host.Dispose();
            throw;
        }
    }

    private static ILogger Logger(IServiceProvider services) =>
        services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(WorkerApp));
}
