using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orchard.Worker;
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
}
