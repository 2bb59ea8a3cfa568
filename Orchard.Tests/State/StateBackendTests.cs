using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Orchard.Domain.State;
using Orchard.Tests.Infrastructure;

namespace Orchard.Tests.State;

public sealed class StateBackendTests
{
    [Fact]
    public void Create_UsesRedis_WhenReachable()
    {
        using var backend = Create(TestEnvironment.RedisConnectionString, fallback: false, out _, TimeSpan.FromSeconds(10));

        Assert.Equal(StateBackend.RedisKind, backend.Kind);
        Assert.NotNull(backend.Redis);
    }

    [Fact]
    public void Create_FallsBackToMemoryWithOriginalLogLines_WhenRedisUnreachable()
    {
        using var backend = Create($"127.0.0.1:{ClosedPort()}", fallback: true, out var logs);

        Assert.Equal(StateBackend.MemoryKind, backend.Kind);
        Assert.Contains(logs.Lines, l => l.StartsWith("[Redis] Connection failed: ", StringComparison.Ordinal));
        Assert.Contains("[Redis] Fallback to in-memory mode", logs.Lines);
    }

    [Fact]
    public void Create_ThrowsNamingTheSetting_WhenRedisUnreachableAndFallbackOff()
    {
        var error = Assert.Throws<StateStoreUnavailableException>(() => Create($"127.0.0.1:{ClosedPort()}", fallback: false, out _));

        Assert.Contains("State:RedisConnectionString", error.Message, StringComparison.Ordinal);
        Assert.Contains("State:FallbackToMemory", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_ThrowsNamingTheSetting_WhenConnectionStringMalformed()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Create("127.0.0.1:6379,notanoption=1", fallback: true, out _));

        Assert.Contains("State:RedisConnectionString", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_RefusesMissingRedis_WhenFallbackOff()
    {
        var options = new StateOptions { RedisConnectionString = "", FallbackToMemory = false };

        var errors = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).ToArray();

        Assert.Contains(errors, e => e.ErrorMessage!.Contains("State:RedisConnectionString", StringComparison.Ordinal));
    }

    private static StateBackend Create(string connectionString, bool fallback, out CapturingLoggerFactory logs, TimeSpan? connectTimeout = null)
    {
        logs = new CapturingLoggerFactory();
        var options = Options.Create(new StateOptions
        {
            RedisConnectionString = connectionString,
            FallbackToMemory = fallback,
            // A closed port refuses at once; the timeout only bounds a loaded machine's connect to a live server.
            ConnectTimeout = connectTimeout ?? TimeSpan.FromMilliseconds(500),
        });
        return StateBackend.Create(options, TimeProvider.System, logs);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
