namespace Orchard.Tests.Worker;

/// <summary>Waits for a condition with a bounded number of short sleeps; fails with a message instead of hanging.</summary>
public static class Poll
{
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
}
