using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orchard.Tests.Audio;
using Orchard.Worker;
using Orchard.Worker.Pull;
using Orchard.Worker.Registration;
using Orchard.Tests.Infrastructure;

namespace Orchard.Tests.Worker;

public class WorkerAppTests
{
    [Fact]
    public void Build_ThrowsNamingEachSetting_WhenOptionsInvalid()
    {
        var error = Assert.Throws<OptionsValidationException>(() =>
            WorkerApp.Build(["--Worker:Urls=bad", "--Worker:Engine=whisper", "--Logging:LogLevel:Default=None"]));

        Assert.Contains(error.Failures, f => f.Contains("Worker:ModelPath", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("Worker:Urls", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StartAsync_RegistersWithMasterAndHeartbeats_WhenMasterUrlSet()
    {
        await using var master = await FakeMaster.StartAsync();
        await using var worker = await WorkerHost.StartAsync(
            new ScriptedEngine(), $"--Worker:MasterUrl={master.Url}", "--Worker:Name=spare-laptop", "--Worker:PublicUrl=http://192.0.2.9:8080", "--Worker:FunctionKey=abc");
        var registration = worker.App.Services.GetRequiredService<RegistrationService>();

        await Poll.UntilAsync(() => registration.Heartbeats >= 1, "registration and a heartbeat");

        var body = Assert.Single(master.Registrations);
        Assert.Equal("spare-laptop", body.GetProperty("name").GetString());
        Assert.Equal("http://192.0.2.9:8080", body.GetProperty("url").GetString());
        Assert.All(master.Keys, k => Assert.Equal("abc", k));
    }

    [Fact]
    public void Build_MakesAHostWithoutWebServer_WhenMasterUrlAndNoPublicUrl()
    {
        using var host = WorkerApp.Build(["--Worker:MasterUrl=http://127.0.0.1:9", "--Logging:LogLevel:Default=None"]);

        Assert.IsNotType<WebApplication>(host);
        Assert.Null(host.Services.GetService<IServer>());
        Assert.NotNull(host.Services.GetService<PullService>());
        Assert.Null(host.Services.GetService<RegistrationService>());
    }

    [Fact]
    public void Build_MakesTheWebApplication_WhenModeIsPushWithoutPublicUrl()
    {
        using var host = WorkerApp.Build(
            ["--Worker:Mode=push", "--Worker:MasterUrl=http://127.0.0.1:9", "--Worker:Urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=None"]);

        Assert.IsType<WebApplication>(host);
        Assert.NotNull(host.Services.GetService<IServer>());
        Assert.NotNull(host.Services.GetService<RegistrationService>());
        Assert.Null(host.Services.GetService<PullService>());
    }

    [Fact]
    public void Build_ThrowsNamingMode_WhenModeUnknownOrPullWithoutMaster()
    {
        var unknown = Assert.Throws<OptionsValidationException>(() =>
            WorkerApp.Build(["--Worker:Mode=poll", "--Logging:LogLevel:Default=None"]));
        var pull = Assert.Throws<OptionsValidationException>(() =>
            WorkerApp.Build(["--Worker:Mode=pull", "--Logging:LogLevel:Default=None"]));

        Assert.Contains(unknown.Failures, f => f.Contains("Worker:Mode", StringComparison.Ordinal));
        Assert.Contains(pull.Failures, f => f.Contains("Worker:MasterUrl", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StartAsync_PullsAndTranscribesEspeakSpeechWithPocketSphinx_EndToEnd()
    {
        using var dir = new TempDir();
        var speech = WorkerAudio.Speech(dir, 1.0, "Good morning everyone.", "The meeting starts at ten.");
        await using var master = await FakeMaster.StartAsync();
        using var host = WorkerApp.Build([$"--Worker:MasterUrl={master.Url}", "--Worker:Name=pull-laptop", "--Logging:LogLevel:Default=Warning"]);
        await host.StartAsync();
        try
        {
            var service = host.Services.GetRequiredService<PullService>();
            var lease = master.Offer(await File.ReadAllBytesAsync(speech), language: "en", renewEverySeconds: 1);

            // A whole-file PocketSphinx run on a busy 2-core machine can take well over a minute.
            await Poll.UntilAsync(() => service.Answered == 1, "PocketSphinx's answer accepted", attempts: 4800);

            var registration = Assert.Single(master.Registrations);
            Assert.Equal(["en"], registration.GetProperty("languages").EnumerateArray().Select(l => l.GetString()));
            var result = Assert.Single(lease.Results);
            Assert.False(string.IsNullOrWhiteSpace(result.GetProperty("text").GetString()));
            Assert.Equal("pocketsphinx", result.GetProperty("metadata").GetProperty("engine").GetString());
            Assert.Equal("en", result.GetProperty("metadata").GetProperty("language").GetString());
            Assert.NotEmpty(result.GetProperty("segments").EnumerateArray());
            Assert.False(File.Exists(service.LastDownloadPath), "the downloaded audio is deleted once answered");
        }
        finally
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await host.StopAsync(timeout.Token);
        }
    }
}
