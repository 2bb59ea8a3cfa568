using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orchard.Worker.Core;
using Orchard.Worker.Engines;

namespace Orchard.Tests.Worker;

public class EngineFactoryTests
{
    private static ServiceProvider Services(WorkerOptions options)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(Options.Create(options));
        return services.BuildServiceProvider();
    }

    [Theory]
    [InlineData("pocketsphinx", typeof(PocketSphinxEngine))]
    [InlineData("PocketSphinx", typeof(PocketSphinxEngine))]
    [InlineData("whisper", typeof(WhisperEngine))]
    public void Create_ReturnsTheConfiguredEngine(string name, Type expected)
    {
        using var services = Services(new WorkerOptions { Engine = name, ModelPath = "/models/ggml-base.bin" });

        using var engine = EngineFactory.Create(services);

        Assert.IsType(expected, engine);
    }

    [Fact]
    public void Create_ThrowsNamingTheSetting_WhenEngineUnknown()
    {
        using var services = Services(new WorkerOptions { Engine = "vosk" });

        var error = Assert.Throws<OptionsValidationException>(() => EngineFactory.Create(services));

        Assert.Contains("Worker:Engine", error.Message, StringComparison.Ordinal);
    }
}
