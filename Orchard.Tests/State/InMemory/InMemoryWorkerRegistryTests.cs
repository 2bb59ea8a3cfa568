using Orchard.Domain.State;
using Orchard.Domain.State.InMemory;
using Orchard.Domain.Workers;
using Orchard.Tests.Infrastructure;

namespace Orchard.Tests.State.InMemory;

public sealed class InMemoryWorkerRegistryTests : WorkerRegistryContract
{
    protected override IWorkerRegistry CreateRegistry(Action<StateOptions>? configure = null) =>
        new InMemoryWorkerRegistry(RedisFixture.Options(string.Empty, configure), TimeProvider.System);

    protected override ILeaseStore LeasesFor(IWorkerRegistry registry) => new InMemoryLeaseStore((InMemoryWorkerRegistry)registry);
}
