namespace Orchard.Tests.Infrastructure;

/// <summary>
/// The one way tests wait: a condition checked with a bounded number of short sleeps, failing with a message
/// instead of hanging.
/// </summary>
public static class Poll
{
    /// <summary>A condition on local state, checked every 50 ms (15 s by default).</summary>
    public static async Task UntilAsync(Func<bool> condition, string what, int attempts = 300)
    {
        for (var i = 0; i < attempts; i++)
        {
            if (condition())
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"Gave up waiting for: {what}");
    }

    /// <summary>A condition that asks a store or a host, checked every 100 ms (30 s by default).</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what = "the condition", int attempts = 300)
    {
        for (var i = 0; i < attempts; i++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"Gave up waiting for: {what}");
    }
}
