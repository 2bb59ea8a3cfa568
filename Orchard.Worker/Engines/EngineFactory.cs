using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orchard.Worker.Core;

namespace Orchard.Worker.Engines;

/// <summary>Creates the engine <see cref="WorkerOptions.Engine"/> names.</summary>
public static class EngineFactory
{
    /// <summary>The engine for the worker's options.</summary>
    /// <exception cref="OptionsValidationException">The engine name is not known (also caught on start by the validator).</exception>
    public static ITranscriptionEngine Create(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.GetRequiredService<IOptions<WorkerOptions>>();
        var engine = options.Value.Engine;
        if (string.Equals(engine, WorkerOptions.PocketSphinx, StringComparison.OrdinalIgnoreCase))
        {
            return ActivatorUtilities.CreateInstance<PocketSphinxEngine>(services);
        }

        if (string.Equals(engine, WorkerOptions.Whisper, StringComparison.OrdinalIgnoreCase))
        {
            return ActivatorUtilities.CreateInstance<WhisperEngine>(services);
        }

        throw new OptionsValidationException(WorkerOptions.Section, typeof(WorkerOptions), [$"Worker:Engine: '{engine}' is not an engine; use '{WorkerOptions.PocketSphinx}' or '{WorkerOptions.Whisper}'."]);
    }
}
