namespace Orchard.Tests.Infrastructure;

/// <summary>The services the tests need, from scripts/services.sh; a missing one fails the test, never skips it.</summary>
public static class RequiredEnvironment
{
    public const string StorageVariable = "ORCHARD_TEST_STORAGE";
    public const string RedisVariable = "ORCHARD_TEST_REDIS";

    /// <summary>The Azurite connection string.</summary>
    public static string Storage => Get(StorageVariable);

    /// <summary>Redis as host:port.</summary>
    public static string Redis => Get(RedisVariable);

    static string Get(string name)
    {
        var value = Environment.GetEnvironmentVariable(name);
        if (string.IsNullOrWhiteSpace(value))
        {
            Assert.Fail($"{name} is not set: run `scripts/services.sh up && source .ci/work/services.env` before `dotnet test`.");
        }

        return value;
    }
}
