using Orchard.Domain.Security;
using Orchard.Domain.State.InMemory;

namespace Orchard.Tests.State.InMemory;

public sealed class InMemorySecurityStoreTests : SecurityStoreContract
{
    protected override ISecurityStore CreateStore() => new InMemorySecurityStore(TimeProvider.System);
}
