using Orchard.Domain.Jobs;
using Orchard.Domain.State;
using Orchard.Domain.State.InMemory;
using Orchard.Tests.Infrastructure;

namespace Orchard.Tests.State.InMemory;

public sealed class InMemoryJobStoreTests : JobStoreContract
{
    protected override IJobStore CreateStore(Action<StateOptions>? configure = null) =>
        new InMemoryJobStore(RedisFixture.Options(string.Empty, configure), TimeProvider.System);
}
