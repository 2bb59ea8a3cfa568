using Microsoft.Extensions.Logging.Abstractions;
using Orchard.Domain.Security;
using Orchard.Domain.State.Redis;
using Orchard.Tests.Infrastructure;

namespace Orchard.Tests.State.Redis;

public sealed class RedisSecurityStoreTests(RedisFixture redis) : SecurityStoreContract, IClassFixture<RedisFixture>
{
    protected override ISecurityStore CreateStore() =>
        new RedisSecurityStore(redis.Redis, RedisFixture.Options(RedisFixture.NewPrefix()), TimeProvider.System, NullLogger<RedisSecurityStore>.Instance);
}
