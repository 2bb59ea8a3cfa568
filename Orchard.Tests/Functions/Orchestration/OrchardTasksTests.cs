using Orchard.Functions.Functions.Orchestration;
using Orchard.LocalHost.Functions;

namespace Orchard.Tests.Functions.Orchestration;

public sealed class OrchardTasksTests
{
    [Fact]
    public void Names_MatchTheDurableFunctionsInGeneratedMetadata()
    {
        // The Functions host uses the [Function] triggers; the other hosts use OrchardTasks. Both must list the same.
        var durable = FunctionMetadata.Read(FunctionMetadata.DefaultPath)
            .Where(f => f.Trigger?.Type is "orchestrationTrigger" or "activityTrigger")
            .Select(f => f.Name)
            .Order(StringComparer.Ordinal);

        Assert.Equal(durable, OrchardTasks.Names.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Register_AddsEveryNamedTask()
    {
        var registry = new Microsoft.DurableTask.DurableTaskRegistry();

        OrchardTasks.Register(registry);

        // A second registration of any name throws, so registering the names again proves each one is there.
        foreach (var name in OrchardTasks.Names)
        {
            Assert.ThrowsAny<ArgumentException>(() =>
            {
                registry.AddActivityFunc<string, string>(name, (_, s) => s);
                registry.AddOrchestratorFunc<string, string>(name, (_, s) => s);
            });
        }
    }
}
