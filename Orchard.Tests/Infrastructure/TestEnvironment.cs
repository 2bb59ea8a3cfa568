namespace Orchard.Tests.Infrastructure;

/// <summary>Where the real services started by test.sh / .ci/run are. Missing settings fail the test; nothing skips.</summary>
public static class TestEnvironment
{
    public static string RedisConnectionString => Require("ORCHARD_TEST_REDIS");

    public static string StorageConnectionString => Require("ORCHARD_TEST_STORAGE");

    private static string Require(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{name} is not set: run the tests through ./test.sh, which starts Redis and Azurite and sets it.");
}
